#include "guest-agent/service_discovery.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <list>
#include <map>
#include <thread>
#include <vector>

#include "common/pod_vm.h"
#include "common/service_directory.h"
#include "common/sys_error.h"
#include "common/unique_fd.h"
#include "guest-agent/connect_redirect.h"
#include "guest-agent/dns_message.h"
#include "guest-agent/metadata_client.h"

namespace i2kit {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr uint32_t kDnsTtlSeconds = 5;
constexpr milliseconds kForwardTimeout{3000};
constexpr milliseconds kMetadataTimeout{1000};

sockaddr_in Address(uint32_t host_order_ip, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(host_order_ip);
  return a;
}

Result<uint32_t> ParseIpv4(const std::string& text) {
  in_addr a{};
  if (::inet_pton(AF_INET, text.c_str(), &a) != 1)
    return Status::Error(text + " is no IPv4 address");
  return ntohl(a.s_addr);
}

}  // namespace

uint32_t VirtualAddressFor(std::string_view name) {
  uint32_t hash = 2166136261u;  // FNV-1a
  for (char c : name) hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
  uint32_t slot = hash % (254u * 254u);
  return (127u << 24) | (77u << 16) | ((slot / 254 + 1) << 8) | (slot % 254 + 1);
}

struct ServiceDiscovery::State {
  DiscoveryOptions options;
  UniqueFd dns;
  UniqueFd stop;
  std::thread thread;
  uint32_t host_ip = 0;
  uint32_t upstream_ip = 0;
  bool have_upstream = false;
  ServiceDirectory directory;
  std::optional<MetadataClient> metadata;
  Clock::time_point next_refresh;
  bool directory_failed_said = false;

  struct Forward {
    UniqueFd fd;
    sockaddr_in client{};
    Clock::time_point deadline;
  };
  std::list<Forward> forwards;
  std::optional<ConnectRedirect> redirect;

  Status AttachRedirect(const std::string& cgroup) {
    if (cgroup.empty()) return Status::Ok();
    Result<ConnectRedirect> attached = ConnectRedirect::Attach(cgroup);
    if (!attached.ok()) return attached.status().WithContext("service routes");
    redirect.emplace(std::move(attached).value());
    return Status::Ok();
  }

  void Say(const std::string& line) {
    if (options.console) options.console("i2kit-agent: " + line);
  }

  void Refresh(Clock::time_point now) {
    next_refresh = now + options.refresh;
    if (!metadata) return;
    Result<std::string> body = metadata->Get(pod_vm::kServiceDirectoryPath);
    Result<ServiceDirectory> parsed =
        body.ok() ? DirectoryFromJson(*body) : Result<ServiceDirectory>(body.status());
    if (!parsed.ok()) {
      if (!directory_failed_said)
        Say("service directory unavailable: " + parsed.status().message());
      directory_failed_said = true;
      return;
    }
    directory_failed_said = false;
    if (*parsed == directory) return;
    directory = std::move(parsed).value();
    ConnectRedirect::Routes routes;
    std::string names;
    for (const DirectoryEntry& e : directory.entries) {
      names += " " + e.name;
      for (const DirectoryPort& p : e.ports) {
        std::vector<Ipv4Endpoint>& backends =
            routes[{VirtualAddressFor(e.name), static_cast<uint16_t>(p.port)}];
        for (int host_port : p.host_ports)
          backends.push_back({host_ip, static_cast<uint16_t>(host_port)});
      }
    }
    if (redirect) {
      if (Status st = redirect->Set(routes); !st.ok()) Say("service routes: " + st.message());
    }
    Say("service directory:" + (names.empty() ? std::string(" empty") : names) + " (domain " +
        directory.domain + ")");
  }

  void AnswerDns(Clock::time_point now) {
    char packet[1500];
    sockaddr_in client{};
    socklen_t size = sizeof client;
    ssize_t n = ::recvfrom(dns.get(), packet, sizeof packet, 0,
                           reinterpret_cast<sockaddr*>(&client), &size);
    if (n <= 0) return;
    std::string_view query(packet, static_cast<size_t>(n));
    Result<DnsQuestion> q = ParseDnsQuery(query);
    if (q.ok()) {
      if (const DirectoryEntry* entry = directory.Find(q->name)) {
        std::string answer =
            BuildDnsAnswer(query, *q, VirtualAddressFor(entry->name), kDnsTtlSeconds);
        ::sendto(dns.get(), answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&client),
                 size);
        return;
      }
    }
    if (!have_upstream) return;
    if (forwards.size() >= kMaxDnsForwards) forwards.pop_front();
    Forward f;
    f.fd.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_in up = Address(upstream_ip, options.upstream_port);
    if (!f.fd.valid() || ::connect(f.fd.get(), reinterpret_cast<sockaddr*>(&up), sizeof up) != 0 ||
        ::send(f.fd.get(), packet, static_cast<size_t>(n), 0) != n) {
      return;
    }
    f.client = client;
    f.deadline = now + kForwardTimeout;
    forwards.push_back(std::move(f));
  }

  void Relay(Forward& f) {
    char packet[4096];
    ssize_t n = ::recv(f.fd.get(), packet, sizeof packet, 0);
    if (n > 0) {
      ::sendto(dns.get(), packet, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&f.client),
               sizeof f.client);
    }
    f.fd.reset();
  }

  // Who the VM is, as EC2 (or the local stand-in) says: logged once at start.
  void Introduce() {
    if (!metadata) return;
    Result<std::string> id = metadata->Get("/latest/meta-data/instance-id");
    if (!id.ok()) {
      Say("no instance-metadata service (" + id.status().message() + ")");
      metadata.reset();  // nothing to ask later either
      return;
    }
    Result<std::string> region = metadata->Get("/latest/meta-data/placement/region");
    Say("instance " + *id + " in region " + (region.ok() ? *region : "unknown"));
  }

  void Loop() {
    Introduce();
    Refresh(Clock::now());
    for (;;) {
      std::vector<pollfd> fds = {{stop.get(), POLLIN, 0}, {dns.get(), POLLIN, 0}};
      for (const Forward& f : forwards) fds.push_back({f.fd.get(), POLLIN, 0});
      Clock::time_point now = Clock::now();
      int wait = static_cast<int>(std::max<int64_t>(
          0, std::chrono::duration_cast<milliseconds>(next_refresh - now).count()));
      (void)::poll(fds.data(), fds.size(), std::min(wait, 500));
      if ((fds[0].revents & POLLIN) != 0) return;
      now = Clock::now();
      // Answers first, in the order polled: AnswerDns may add forwards not in `fds`.
      size_t i = 2;
      for (Forward& f : forwards) {
        if (i < fds.size() && (fds[i++].revents & POLLIN) != 0) Relay(f);
      }
      if ((fds[1].revents & POLLIN) != 0) AnswerDns(now);
      forwards.remove_if([&](const Forward& f) { return !f.fd.valid() || now >= f.deadline; });
      if (now >= next_refresh) Refresh(now);
    }
  }
};

ServiceDiscovery::ServiceDiscovery(std::unique_ptr<State> state) : state_(std::move(state)) {}

Result<std::unique_ptr<ServiceDiscovery>> ServiceDiscovery::Bind(DiscoveryOptions options) {
  auto state = std::make_unique<State>();
  Result<uint32_t> dns_ip = ParseIpv4(options.dns_address);
  Result<uint32_t> host_ip = ParseIpv4(options.host_address);
  if (!dns_ip.ok()) return dns_ip.status();
  if (!host_ip.ok()) return host_ip.status();
  state->host_ip = *host_ip;
  if (!options.upstream_dns.empty()) {
    Result<uint32_t> upstream = ParseIpv4(options.upstream_dns);
    if (!upstream.ok()) return upstream.status().WithContext("upstream resolver");
    state->upstream_ip = *upstream;
    state->have_upstream = true;
  }
  state->dns.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  sockaddr_in a = Address(*dns_ip, options.dns_port);
  if (!state->dns.valid() ||
      ::bind(state->dns.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    return SysError("bind", options.dns_address + ":" + std::to_string(options.dns_port));
  }
  state->stop.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!state->stop.valid()) return SysError("eventfd");
  if (!options.metadata_address.empty()) {
    state->metadata.emplace(options.metadata_address, options.metadata_port, kMetadataTimeout);
  }
  if (Status s = state->AttachRedirect(options.redirect_cgroup); !s.ok()) return s;
  state->options = std::move(options);
  return std::unique_ptr<ServiceDiscovery>(new ServiceDiscovery(std::move(state)));
}

int ServiceDiscovery::dns_port() const {
  sockaddr_in a{};
  socklen_t size = sizeof a;
  ::getsockname(state_->dns.get(), reinterpret_cast<sockaddr*>(&a), &size);
  return ntohs(a.sin_port);
}

void ServiceDiscovery::Start() {
  State* s = state_.get();
  s->thread = std::thread([s] { s->Loop(); });
}

ServiceDiscovery::~ServiceDiscovery() {
  if (!state_) return;
  uint64_t one = 1;
  (void)!::write(state_->stop.get(), &one, sizeof one);
  if (state_->thread.joinable()) state_->thread.join();
}

}  // namespace i2kit
