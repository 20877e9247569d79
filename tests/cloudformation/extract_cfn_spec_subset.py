#!/usr/bin/env python3
"""Writes the part of the CloudFormation resource specification that the template tests need.

Usage: extract_cfn_spec_subset.py FULL_SPECIFICATION_JSON > cfn-spec-subset.json

Keeps the resource types i2kit generates and every property type they reach, transitively,
and drops the documentation links, which the checker does not read.
"""
import json
import sys

# The resource types cloudformation/ generates (and SecurityGroupIngress, which the checker's
# own tests use); the spec check rejects any other.
RESOURCE_TYPES = [
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::EC2::LaunchTemplate",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::Volume",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::Role",
    "AWS::Route53::RecordSet",
]


def without_documentation(value):
    if isinstance(value, dict):
        return {k: without_documentation(v) for k, v in value.items() if k != "Documentation"}
    return value


def referenced_types(owner, properties):
    """Names of the property types `properties` refer to, qualified as the spec keys them."""
    prefix = owner.split(".")[0]
    for prop in properties.values():
        for key in ("Type", "ItemType"):
            name = prop.get(key)
            if name and name not in ("List", "Map"):
                yield name if name == "Tag" else prefix + "." + name


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    resources = {name: spec["ResourceTypes"][name] for name in RESOURCE_TYPES}
    property_types = {}
    pending = [t for name, r in resources.items() for t in referenced_types(name, r["Properties"])]
    while pending:
        name = pending.pop()
        if name in property_types:
            continue
        property_types[name] = spec["PropertyTypes"][name]
        pending.extend(referenced_types(name, property_types[name].get("Properties", {})))
    subset = {
        "ResourceSpecificationVersion": spec["ResourceSpecificationVersion"],
        "PropertyTypes": dict(sorted(property_types.items())),
        "ResourceTypes": resources,
    }
    json.dump(without_documentation(subset), sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
