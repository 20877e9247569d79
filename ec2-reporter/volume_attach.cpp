#include "ec2-reporter/volume_attach.h"

#include <algorithm>

namespace i2kit::reporter {

AttachDecision DecideAttach(const aws::Ec2Volume& volume, const std::string& instance_id) {
  for (const aws::Ec2VolumeAttachment& a : volume.attachments) {
    if (a.state == "detached") continue;
    if (a.instance_id == instance_id) {
      if (a.state == "attached") return {AttachAction::kAttached, ""};
      return {AttachAction::kWait, "its attachment to this instance (" + a.state + ")"};
    }
    return {AttachAction::kWait, "release by " + a.instance_id + " (" + a.state + ")"};
  }
  if (volume.state == "available") return {AttachAction::kAttach, ""};
  if (volume.state == "creating" || volume.state == "in-use") {
    return {AttachAction::kWait, "the volume (" + volume.state + ")"};
  }
  return {AttachAction::kFail, "the volume is " + volume.state};
}

bool AttachErrorIsTransient(std::string_view code) {
  for (std::string_view transient :
       {"VolumeInUse", "IncorrectState", "InvalidVolume.NotFound", "RequestLimitExceeded",
        "Throttling", "InternalError", "ServiceUnavailable", "Unavailable"}) {
    if (code == transient) return true;
  }
  return code.empty();  // no answer at all: the network, after the client's retries
}

std::string AttachDevice(size_t index) {
  return std::string("/dev/sd") + static_cast<char>('f' + std::min(index, kMaxAttachedVolumes - 1));
}

std::string NvmeSerialOf(const std::string& volume_id) {
  std::string serial = volume_id;
  serial.erase(std::remove(serial.begin(), serial.end(), '-'), serial.end());
  return serial;
}

std::chrono::milliseconds AttachBackoff(int attempt) {
  constexpr std::chrono::milliseconds kCap{10000};
  std::chrono::milliseconds pause{1000};
  for (int n = 0; n < attempt && pause < kCap; ++n) pause *= 2;
  return std::min(pause, kCap);
}

namespace {

// Attaches one volume; the error names what was waited for or what EC2 said.
Status AttachOne(const std::string& name, const std::string& volume_id, const std::string& device,
                 const InstanceIdentity& identity, Clock::time_point deadline,
                 const AttachLinks& links) {
  const std::string subject = "volume " + name + " (" + volume_id + ")";
  std::string waiting_for;  // said once each time it changes
  for (int attempt = 0;; ++attempt) {
    aws::AwsError error;
    AttachDecision decision;
    Result<aws::Ec2Volume> volume = links.ec2->DescribeVolume(volume_id, &error);
    if (!volume.ok()) {
      if (!AttachErrorIsTransient(error.code)) return volume.status().WithContext(subject);
      decision = {AttachAction::kWait, "EC2 (" + volume.status().message() + ")"};
    } else {
      decision = DecideAttach(*volume, identity.instance_id);
    }
    if (decision.action == AttachAction::kAttached) return Status::Ok();
    if (decision.action == AttachAction::kFail) return Status::Error(subject + ": " + decision.why);
    if (decision.action == AttachAction::kAttach) {
      aws::AwsError refused;
      Result<aws::Ec2VolumeAttachment> attached =
          links.ec2->AttachVolume(volume_id, identity.instance_id, device, &refused);
      if (attached.ok()) {
        links.log(LogLevel::kInfo, subject + ": attaching as " + device);
        decision = {AttachAction::kWait, "its attachment to this instance (attaching)"};
      } else if (!AttachErrorIsTransient(refused.code)) {
        return attached.status().WithContext(subject);
      } else {
        // Taken or still detaching between the look and the attach.
        decision = {AttachAction::kWait, "EC2 (" + attached.status().message() + ")"};
      }
    }
    if (decision.why != waiting_for) {
      waiting_for = decision.why;
      links.log(LogLevel::kInfo, subject + ": waiting for " + waiting_for);
      attempt = 0;  // progress (detaching, attaching): the next step comes in seconds
    }
    std::chrono::milliseconds pause = AttachBackoff(attempt);
    if (links.now() + pause > deadline) {
      return Status::Error(subject + " not attached by the startup deadline: still waiting for " +
                           waiting_for);
    }
    links.sleep(pause);
  }
}

}  // namespace

Result<std::map<std::string, std::string>> AttachVolumes(const InstanceIdentity& identity,
                                                         Clock::time_point deadline,
                                                         const AttachLinks& links) {
  if (identity.volumes.size() > kMaxAttachedVolumes) {
    return Status::Error("user data has " + std::to_string(identity.volumes.size()) +
                         " volumes; at most " + std::to_string(kMaxAttachedVolumes) +
                         " are attached (/dev/sdf to /dev/sdp)");
  }
  std::map<std::string, std::string> serials;
  size_t index = 0;
  for (const auto& [name, volume_id] : identity.volumes) {
    if (Status s = AttachOne(name, volume_id, AttachDevice(index++), identity, deadline, links);
        !s.ok()) {
      return s;
    }
    links.log(LogLevel::kInfo, "volume " + name + " (" + volume_id + ") attached");
    serials[name] = NvmeSerialOf(volume_id);
  }
  return serials;
}

}  // namespace i2kit::reporter
