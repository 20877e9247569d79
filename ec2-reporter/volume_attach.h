// attach-volumes: the deployment's EBS volumes (user data "volumes") attached to this instance
// at boot, before the agent mounts them. A replacement instance is launched while the old one
// may still hold the volume (Auto Scaling terminates it, EBS detaches it a moment later), so
// the volume is waited for — said once per thing waited for — up to the startup deadline; two
// instances never write it, since EC2 attaches a volume to one at a time (VolumeInUse). A
// volume already attached here (a reboot) is success. The pure decisions are apart from the
// loop, which talks to EC2 and sleeps through the links.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "aws-client/ec2_api.h"
#include "common/log_level.h"
#include "common/status.h"
#include "ec2-reporter/instance_identity.h"
#include "ec2-reporter/startup_signal.h"

namespace i2kit::reporter {

enum class AttachAction {
  kAttach,    // available: AttachVolume
  kWait,      // held by another instance, detaching, being created or attaching here
  kAttached,  // attached to this instance: done
  kFail,      // it will not become attachable (deleted, in error)
};

struct AttachDecision {
  AttachAction action = AttachAction::kWait;
  std::string why;  // what is waited for, or why it fails ("held by i-0old (detaching)")
};

// What to do about `volume` (DescribeVolumes' view) for the instance `instance_id`.
AttachDecision DecideAttach(const aws::Ec2Volume& volume, const std::string& instance_id);

// Whether EC2's error `code` for AttachVolume or DescribeVolumes is one that waiting may clear:
// VolumeInUse (held, or still detaching), IncorrectState (not available yet),
// InvalidVolume.NotFound (a volume just created, not yet known), throttling and server
// errors. Anything else (UnauthorizedOperation, InvalidVolume.ZoneMismatch,
// InvalidParameterValue …) fails at once.
bool AttachErrorIsTransient(std::string_view code);

// The device name of the `index`-th volume: /dev/sdf … /dev/sdp, the range AWS recommends for
// EBS volumes on Linux. Nitro shows every one as NVMe whatever its name.
std::string AttachDevice(size_t index);
inline constexpr size_t kMaxAttachedVolumes = 11;

// The serial an EBS volume's NVMe disk carries: its id without the dash ("vol0123…").
std::string NvmeSerialOf(const std::string& volume_id);

// The pause after the `attempt`-th look (from 0) while waiting for the same thing: 1, 2, 4, 8,
// then 10 s; a change (held → detaching → available → attaching) starts again at 1 s.
std::chrono::milliseconds AttachBackoff(int attempt);

struct AttachLinks {
  aws::Ec2Client* ec2 = nullptr;
  std::function<Clock::time_point()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<void(LogLevel, const std::string&)> log;
};

// Attaches every volume of `identity` to identity.instance_id, in name order, and waits until
// each is attached; returns volume name → NVMe serial. Fails, naming the volume and what it
// waited for or what EC2 said, when one is not attached by `deadline`.
Result<std::map<std::string, std::string>> AttachVolumes(const InstanceIdentity& identity,
                                                         Clock::time_point deadline,
                                                         const AttachLinks& links);

}  // namespace i2kit::reporter
