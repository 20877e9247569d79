#include "guest-agent/env_resolution.h"

#include <gtest/gtest.h>

#include "guest-agent/process_spec.h"

namespace i2kit {
namespace {

struct Fixture {
  std::vector<ConfigObject> config_maps = {
      {"shop-config",
       {{"greeting", "hello"}, {"app.properties", "color=blue\n"}, {"blob.bin", {"\0\1", 2}}},
       {}}};
  std::vector<ConfigObject> secrets = {
      {"shop-secret", {{"password", "s3cr3t"}, {"api-token", "tok$(X)"}, {"1bad", "x"}}, {}}};
  PodFacts facts;
  Deployment pod;
  EnvSources Sources() { return {&config_maps, &secrets, &facts, &pod}; }
};

EnvVar Ref(const std::string& name, EnvSource source, const std::string& object,
           const std::string& key, bool optional = false) {
  EnvVar var;
  var.name = name;
  var.source = source;
  var.object_name = object;
  var.key = key;
  var.optional = optional;
  return var;
}

std::vector<std::string> Env(const Container& c, Fixture& f, std::vector<std::string>* notes) {
  Result<std::vector<EnvVar>> env =
      ResolveEnvironment(c, f.Sources(), [&](const std::string& n) { notes->push_back(n); });
  EXPECT_TRUE(env.ok()) << env.status().message();
  // Through the process spec, as the agent does: $(VAR) expansion and overriding included.
  Container resolved = c;
  resolved.env = env.ok() ? *env : std::vector<EnvVar>();
  resolved.command = {"/bin/true"};
  Result<ProcessSpec> spec = BuildProcessSpec(resolved, ImageConfig(), "shop-0", "", "");
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return spec.ok() ? spec->env : std::vector<std::string>();
}

TEST(EnvResolutionTest, EnvFromComesFirstWithItsPrefixAndEnvOverrides) {
  Fixture f;
  Container c;
  c.env_from = {{false, "shop-config", "CFG_", false}, {true, "shop-secret", "", false}};
  c.env = {LiteralEnvVar("CFG_greeting", "overridden"),
           Ref("PASSWORD", EnvSource::kSecretKey, "shop-secret", "password")};
  std::vector<std::string> notes;
  std::vector<std::string> env = Env(c, f, &notes);
  EXPECT_EQ(env,
            (std::vector<std::string>{
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOSTNAME=shop-0", "CFG_app.properties=color=blue\n", "CFG_greeting=overridden",
                "api-token=tok$(X)", "password=s3cr3t", "PASSWORD=s3cr3t"}));
  // The binary value and the name starting with a digit are skipped, with a note each that
  // names the key and never the value.
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_NE(notes[0].find("blob.bin"), std::string::npos);
  EXPECT_NE(notes[1].find("1bad"), std::string::npos);
  for (const std::string& n : notes) EXPECT_EQ(n.find("s3cr3t"), std::string::npos);
}

TEST(EnvResolutionTest, ReferencedValuesAreNotExpandedButLiteralsStillExpandFromThem) {
  Fixture f;
  Container c;
  c.env = {LiteralEnvVar("X", "x"), Ref("TOKEN", EnvSource::kSecretKey, "shop-secret", "api-token"),
           LiteralEnvVar("URL", "https://$(TOKEN)@host")};
  std::vector<std::string> notes;
  std::vector<std::string> env = Env(c, f, &notes);
  EXPECT_EQ(env[3], "TOKEN=tok$(X)");
  EXPECT_EQ(env[4], "URL=https://tok$(X)@host");
}

TEST(EnvResolutionTest, AMissingOptionalReferenceLeavesTheVariableUnset) {
  Fixture f;
  Container c;
  c.env = {Ref("MAYBE", EnvSource::kSecretKey, "shop-secret", "no-such-key", true),
           Ref("GONE", EnvSource::kConfigMapKey, "no-such-config", "k", true)};
  c.env_from = {{false, "no-such-config", "", true}};
  Result<std::vector<EnvVar>> env = ResolveEnvironment(c, f.Sources(), nullptr);
  ASSERT_TRUE(env.ok()) << env.status().message();
  EXPECT_TRUE(env->empty());
}

TEST(EnvResolutionTest, AMissingRequiredReferenceFailsNamingItButNoValue) {
  Fixture f;
  Container c;
  c.env = {Ref("P", EnvSource::kSecretKey, "shop-secret", "no-such-key")};
  Result<std::vector<EnvVar>> env = ResolveEnvironment(c, f.Sources(), nullptr);
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().message(), "env P: Secret shop-secret has no key no-such-key");
  c.env.clear();
  c.env_from = {{false, "absent", "", false}};
  env = ResolveEnvironment(c, f.Sources(), nullptr);
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().message(), "envFrom: ConfigMap absent not found");
}

TEST(EnvResolutionTest, FieldRefsResolveFromThePod) {
  Fixture f;
  f.facts.name = "shop-0";
  f.facts.pod_ip = "10.0.2.15";
  Container c;
  c.name = "web";
  EnvVar ip;
  ip.name = "POD_IP";
  ip.source = EnvSource::kPodField;
  ip.field.field_path = "status.podIP";
  c.env = {ip};
  Result<std::vector<EnvVar>> env = ResolveEnvironment(c, f.Sources(), nullptr);
  ASSERT_TRUE(env.ok()) << env.status().message();
  EXPECT_EQ((*env)[0].value, "10.0.2.15");
}

TEST(EnvResolutionTest, NamesFollowKubernetesRule) {
  EXPECT_TRUE(IsEnvVarName("SEC_api-token"));
  EXPECT_TRUE(IsEnvVarName("CFG_app.properties"));
  EXPECT_TRUE(IsEnvVarName("_x"));
  EXPECT_FALSE(IsEnvVarName("1x"));
  EXPECT_FALSE(IsEnvVarName("a b"));
  EXPECT_FALSE(IsEnvVarName("a=b"));
  EXPECT_FALSE(IsEnvVarName(""));
}

}  // namespace
}  // namespace i2kit
