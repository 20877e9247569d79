#include "local-vm/boot_timeline.h"

#include <gtest/gtest.h>

namespace i2kit {
namespace {

// An agent's /status as it reports its boot: marks on the guest's CLOCK_BOOTTIME, and that
// clock when it answered.
constexpr const char* kStatus = R"({"pod":"web","boot":{"boottime":6.0,"realtime":1.8e9,
  "marks":[{"phase":"kernel-started","boottime":0,"realtime":1.8e9},
           {"phase":"init","boottime":1.3,"realtime":1.8e9},
           {"phase":"agent-ready","boottime":1.8,"realtime":1.8e9},
           {"phase":"pod-ready","boottime":4.5,"realtime":1.8e9}]}})";

TEST(BootTimelineTest, TheHostsMarksRoundTripThroughTheirFile) {
  std::vector<TimelineMark> marks = {{kPhaseQemuStarted, 1000.25, {}, false},
                                     {kPhaseInBalancer, 1005.5, {}, false}};
  Result<std::vector<TimelineMark>> read = HostMarksFromJson(HostMarksToJson(marks));
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[1].phase, kPhaseInBalancer);
  EXPECT_EQ((*read)[1].host, 1005.5);
  EXPECT_FALSE(HostMarksFromJson("{}").ok());
  EXPECT_FALSE(HostMarksFromJson(R"([{"phase":"x"}])").ok());
}

TEST(BootTimelineTest, ReadsTheGuestsMarksFromTheAgentsStatus) {
  std::optional<GuestBoot> guest = GuestBootFromStatus(kStatus);
  ASSERT_TRUE(guest);
  EXPECT_EQ(guest->boottime, 6.0);
  ASSERT_EQ(guest->marks.size(), 4u);
  EXPECT_EQ(guest->marks[2].phase, "agent-ready");
  EXPECT_EQ(guest->marks[2].guest, 1.8);
  EXPECT_FALSE(GuestBootFromStatus(R"({"pod":"web","containers":[]})"));
  EXPECT_FALSE(GuestBootFromStatus("not json"));
}

TEST(BootTimelineTest, MapsGuestMarksOntoTheHostClockThroughTheAnswer) {
  std::vector<TimelineMark> host = {{kPhaseQemuStarted, 100.0, {}, false},
                                    {kPhaseReadySeen, 105.2, {}, false},
                                    {kPhaseInBalancer, 105.21, {}, false}};
  // The answer came at host 106.5, when the guest's clock read 6.0: its 0 is host 100.5.
  std::vector<TimelineMark> timeline = MergeTimeline(host, GuestBootFromStatus(kStatus), 106.5);
  std::vector<std::string> phases;
  for (const TimelineMark& m : timeline) phases.push_back(m.phase);
  EXPECT_EQ(phases,
            (std::vector<std::string>{"qemu-started", "kernel-started", "init", "agent-ready",
                                      "pod-ready", "pod-ready-seen", "in-balancer"}));
  EXPECT_DOUBLE_EQ(*timeline[1].host, 100.5);
  EXPECT_FALSE(timeline[5].host_from_guest);
  EXPECT_EQ(timeline[5].host, 105.2);
  EXPECT_DOUBLE_EQ(*timeline[2].host, 101.8);
  EXPECT_TRUE(timeline[2].host_from_guest);
  EXPECT_EQ(timeline[4].guest, 4.5);
  EXPECT_FALSE(timeline[0].guest);

  nlohmann::ordered_json json = TimelineToJson(timeline);
  EXPECT_EQ(json[0]["sinceStart"], 0.0);
  EXPECT_NEAR(json[2]["sinceStart"].get<double>(), 1.8, 1e-9);
  EXPECT_EQ(json[5]["hostFromGuest"], false);
  EXPECT_EQ(json[2]["hostFromGuest"], true);
  EXPECT_EQ(json[0]["guest"], nullptr);
}

TEST(BootTimelineTest, WithoutTheAgentOnlyTheHostsMarksShow) {
  std::vector<TimelineMark> timeline =
      MergeTimeline({{kPhaseQemuStarted, 100.0, {}, false}}, std::nullopt, 0);
  ASSERT_EQ(timeline.size(), 1u);
  EXPECT_EQ(timeline[0].phase, kPhaseQemuStarted);
}

TEST(BootTimelineTest, APhaseBothClocksSawIsOneMarkWithBothTimes) {
  std::vector<TimelineMark> timeline =
      MergeTimeline({{"pod-ready", 105.0, {}, false}}, GuestBootFromStatus(kStatus), 106.5);
  ASSERT_EQ(timeline.size(), 4u);
  EXPECT_EQ(timeline[3].phase, "pod-ready");
  EXPECT_EQ(timeline[3].host, 105.0);
  EXPECT_EQ(timeline[3].guest, 4.5);
  EXPECT_FALSE(timeline[3].host_from_guest);
}

TEST(BootTimelineTest, ARestoredVmShowsOnlyItsOwnMarksFromItsIdentityOn) {
  // The snapshot's boot ran to 1.4 s of guest time; this VM was restored at host 200.0 and
  // learned its identity at guest 1.45.
  constexpr const char* kRestored = R"({"boot":{"boottime":3.0,"realtime":1.8e9,
    "marks":[{"phase":"kernel-started","boottime":0,"realtime":1.8e9},
             {"phase":"init","boottime":1.3,"realtime":1.8e9},
             {"phase":"boot-identity","boottime":1.45,"realtime":1.8e9},
             {"phase":"agent-ready","boottime":1.8,"realtime":1.8e9},
             {"phase":"pod-ready","boottime":2.9,"realtime":1.8e9}]}})";
  std::vector<TimelineMark> timeline = MergeTimeline({{kPhaseRestoreBegan, 200.0, {}, false}},
                                                     GuestBootFromStatus(kRestored), 201.6);
  std::vector<std::string> phases;
  for (const TimelineMark& m : timeline) phases.push_back(m.phase);
  EXPECT_EQ(phases, (std::vector<std::string>{"restore-began", "boot-identity", "agent-ready",
                                              "pod-ready"}));
  EXPECT_NEAR(*timeline[1].host, 200.05, 1e-9);
  // A cold boot keeps every mark.
  EXPECT_EQ(
      MergeTimeline({{kPhaseQemuStarted, 200.0, {}, false}}, GuestBootFromStatus(kRestored), 201.6)
          .size(),
      6u);
}

TEST(BootTimelineTest, PrintsEachPhaseSinceTheStartWithItsStepAndTheGuestsClock) {
  std::vector<TimelineMark> timeline =
      MergeTimeline({{kPhaseQemuStarted, 100.0, {}, false}}, GuestBootFromStatus(kStatus), 106.5);
  std::string text = FormatTimeline(timeline);
  EXPECT_EQ(text,
            "PHASE              HOST     STEP   GUEST\n"
            "qemu-started      0.000                -\n"
            "kernel-started   ~0.500   +0.500   0.000\n"
            "init             ~1.800   +1.300   1.300\n"
            "agent-ready      ~2.300   +0.500   1.800\n"
            "pod-ready        ~5.000   +2.700   4.500\n")
      << text;
}

}  // namespace
}  // namespace i2kit
