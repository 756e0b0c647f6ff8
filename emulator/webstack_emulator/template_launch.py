"""Auto Scaling launching instances from a launch template version, as EC2
RunInstances launches them.

An Auto Scaling group names a launch template and a version (a number,
``$Latest`` or ``$Default``, resolved at each launch); every instance it
launches gets that version's parameters, as RunInstances with a launch
template gives them ("When you launch an instance using a launch template,
the instance is launched with the parameters specified in the launch
template", https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-launch-templates.html;
the parameters: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RequestLaunchTemplateData.html).
After the group moves to another version, running instances keep theirs and
"When scaling out occurs, Amazon EC2 Auto Scaling launches instances to match
the new settings" (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LaunchTemplate.html).

moto 5.2.5 (``FakeAutoScalingGroup.replace_autoscaling_group_instances``)
took image, instance type, user data and security groups from the group's
version but called RunInstances with the template's *default* version for
the rest, and its RunInstances ignores a template's ``MetadataOptions``,
``IamInstanceProfile``, ``Monitoring``, ``EbsOptimized`` and volume tags,
always attaches an 8 GiB unencrypted ``/dev/sda1`` volume whatever the AMI,
and adds the template's mappings beside it. Here a launch from a template:

* ``ImageId``, ``InstanceType`` (a mixed instances group: its first
  override's, the "prioritized" order moto already assumes), ``KeyName``,
  ``SecurityGroupIds``/``SecurityGroups``, ``UserData``, ``EbsOptimized``
  and ``Monitoring.Enabled`` (DescribeInstances ``Monitoring.State``) come
  from the group's version;
* ``MetadataOptions`` field by field: the template's value, else the AMI's
  default, else the API's (:func:`metadata_options`);
* ``IamInstanceProfile`` (``Arn`` or ``Name``) is associated with every
  instance (DescribeInstances ``IamInstanceProfile.Arn``; moto's RunInstances
  associated a requested profile with the first instance only); a profile
  that does not exist fails the launch with AWS's ValidationError
  (:func:`_profile`);
* the volumes are the AMI's block device mapping overwritten or merged with
  the template's ("these updates overwrite or merge with the block device
  mapping of the AMI",
  https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-block-device-mapping.html):
  a mapping for the AMI's root device replaces its settings field by field,
  ``NoDevice`` suppresses a device, other devices are added -- one volume
  per device, nothing else (:func:`block_devices`);
* ``KmsKeyId`` in a mapping may be a key id, alias, key ARN or alias ARN
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplateEbsBlockDevice.html);
  the volume shows the key's ARN, as DescribeVolumes reports it
  ("The Amazon Resource Name (ARN) of the KMS key",
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Volume.html);
* ``TagSpecifications`` of resource type ``instance`` tag the instance (moto
  did) and ``volume`` tag every volume.

Anything else in the version -- ``NetworkInterfaces``,
``InstanceRequirements``, ``CapacityReservationSpecification``,
``InstanceMarketOptions``, ``Placement``, ``CpuOptions``, instance store
mappings, a mixed-instances override with its own template or instance
requirements, Spot capacity in a mixed-instances distribution... -- changes
what an instance is and is not emulated: the launch fails with
:class:`LaunchNotEmulated` ("not emulated: ..."; a CloudFormation create or
update of the group fails with that reason, an API call with a
ValidationError) instead of launching an instance that ignores it. Launch
configurations keep moto's path.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.autoscaling.exceptions import ValidationError

from . import ebs_launch
from .engine import require_pinned_moto

# RequestLaunchTemplateData fields a launch honours (above); every other one fails the launch.
HONOURED_FIELDS = frozenset(
    {
        "BlockDeviceMappings",
        "EbsOptimized",
        "IamInstanceProfile",
        "ImageId",
        "InstanceType",
        "KeyName",
        "MetadataOptions",
        "Monitoring",
        "SecurityGroupIds",
        "SecurityGroups",
        "TagSpecifications",
        "UserData",
    }
)
HONOURED_EBS_FIELDS = frozenset(
    {"DeleteOnTermination", "Encrypted", "Iops", "KmsKeyId", "SnapshotId", "Throughput", "VolumeSize", "VolumeType"}
)
HONOURED_METADATA_FIELDS = frozenset(
    {"HttpEndpoint", "HttpProtocolIpv6", "HttpPutResponseHopLimit", "HttpTokens", "InstanceMetadataTags"}
)
TAGGED_AT_LAUNCH = frozenset({"instance", "volume"})
# moto's CreateLaunchTemplate copies the template's own tags (resource type
# launch-template) into the version's TagSpecifications; they tag nothing a
# launch creates.
NOT_LAUNCHED = frozenset({"launch-template"})
HONOURED_OVERRIDE_FIELDS = frozenset({"InstanceType", "WeightedCapacity"})

# Instance metadata defaults, per field, when the template sets none
# (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceMetadataOptionsRequest.html:
# HttpTokens optional unless the AMI's ImdsSupport is v2.0, HttpEndpoint
# enabled, HttpProtocolIpv6 disabled; hop limit 1 per
# API_LaunchTemplateInstanceMetadataOptionsRequest.html). Account-level
# defaults (ModifyInstanceMetadataDefaults) sit between the launch
# parameters and the AMI's in AWS's order of precedence
# (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html);
# moto has no such API, so every account here has "no-preference".
API_METADATA_DEFAULTS: dict[str, Any] = {
    "HttpTokens": "optional",
    "HttpPutResponseHopLimit": 1,
    "HttpEndpoint": "enabled",
    "HttpProtocolIpv6": "disabled",
    "InstanceMetadataTags": "disabled",
}
# An AMI with ImdsSupport v2.0: "Instances launched from this AMI will have
# HttpTokens automatically set to required ... In addition,
# HttpPutResponseHopLimit is set to 2"
# (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html).
IMDS_V2_AMI_DEFAULTS: dict[str, Any] = {"HttpTokens": "required", "HttpPutResponseHopLimit": 2}
# moto's AMI catalogue records no ImdsSupport. Amazon's AL2023 AMIs have it:
# "By default, any instances launched with the AL2023 AMI require IMDSv2-only
# and your default hop limit will be set to 2 ... This is done by setting the
# imds-support parameter to v2.0"
# (https://docs.aws.amazon.com/linux/al2023/ug/imdsv2.html). Other AMIs of
# the catalogue (Amazon Linux 2, the 2018 Amazon Linux AMI) are taken to have
# none; whether AWS's preview AMIs set it is not documented.
AMAZON_AMI_OWNER = "137112412989"
AL2023_AMI_PREFIX = "al2023-ami-"


class _TextOnly(ValidationError):
    """An Auto Scaling ValidationError (HTTP 400 to an API caller) whose
    ``str`` is the text alone, so a stack event's reason (error code or class,
    then this) does not repeat the code."""

    def __str__(self) -> str:
        return str(self.message)


class LaunchNotEmulated(_TextOnly):
    """A launch template version asks for something the emulator cannot give
    an instance: "not emulated: ..."."""


class InvalidLaunchTemplate(_TextOnly):
    """AWS's own refusal of a launch template, with AWS's text."""


@dataclass(frozen=True)
class LaunchSpec:
    """What the group's next instance is launched from."""

    version: Any  # moto's LaunchTemplateVersion
    data: dict[str, Any]
    instance_type: str

    @property
    def template_ref(self) -> str:
        return f"launch template {self.version.template.id} version {self.version.number}"


# -- what the version asks for ---------------------------------------------------


def _true(value: Any) -> bool:
    return str(value).lower() == "true"


def _given(data: dict[str, Any]) -> dict[str, Any]:
    # moto stores UserData as None when there is none; None is "not given".
    return {k: v for k, v in (data or {}).items() if v is not None}


def _tag_specifications(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in data.get("TagSpecifications") or [] if s.get("ResourceType") not in NOT_LAUNCHED]


def _mapping_problems(mapping: dict[str, Any]) -> list[str]:
    device = mapping.get("DeviceName")
    if mapping.get("VirtualName"):
        return [f"BlockDeviceMappings {device} VirtualName {mapping['VirtualName']} (instance store volumes)"]
    extra = sorted(set(_given(mapping.get("Ebs") or {})) - HONOURED_EBS_FIELDS)
    return [f"BlockDeviceMappings {device} Ebs.{name}" for name in extra]


def unsupported_fields(data: dict[str, Any]) -> list[str]:
    """The fields of a launch template version's data a launch cannot honour."""
    given = _given(data)
    problems = sorted(set(given) - HONOURED_FIELDS)
    problems += [
        f"MetadataOptions.{n}"
        for n in sorted(set(_given(given.get("MetadataOptions") or {})) - HONOURED_METADATA_FIELDS)
    ]
    for mapping in given.get("BlockDeviceMappings") or []:
        problems += _mapping_problems(mapping)
    types = {s.get("ResourceType") for s in _tag_specifications(given)} - TAGGED_AT_LAUNCH
    problems += [f"TagSpecifications ResourceType {t}" for t in sorted(str(t) for t in types)]
    return problems


def _overrides(group: Any) -> list[dict[str, Any]]:
    policy = getattr(group, "mixed_instances_policy", None) or {}
    return list((policy.get("LaunchTemplate") or {}).get("Overrides") or [])


def _instance_type(group: Any, data: dict[str, Any]) -> str:
    overrides = _overrides(group)
    if overrides and overrides[0].get("InstanceType"):
        return str(overrides[0]["InstanceType"])
    return str(data.get("InstanceType") or "")


def _policy_problems(group: Any) -> list[str]:
    problems = []
    for override in _overrides(group):
        extra = sorted(set(_given(override)) - HONOURED_OVERRIDE_FIELDS)
        problems += [f"MixedInstancesPolicy override {name}" for name in extra]
    # Capacity above the On-Demand base is On-Demand for this percentage (default
    # 100) and Spot for the rest (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_InstancesDistribution.html);
    # moto counts Spot capacity but launches On-Demand instances.
    distribution = (getattr(group, "mixed_instances_policy", None) or {}).get("InstancesDistribution") or {}
    on_demand = int(distribution.get("OnDemandPercentageAboveBaseCapacity", 100))
    if on_demand < 100:
        problems.append(f"MixedInstancesPolicy OnDemandPercentageAboveBaseCapacity {on_demand} (Spot Instances)")
    return problems


def launch_spec(group: Any) -> LaunchSpec | None:
    """The version the group launches from now (None: a launch configuration);
    raises :class:`LaunchNotEmulated` for what the emulator cannot launch."""
    template = getattr(group, "ec2_launch_template", None)
    if template is None:
        return None
    version = template.get_version(group.launch_template_version or "$Default")
    data = dict(version.data or {})
    spec = LaunchSpec(version=version, data=data, instance_type=_instance_type(group, data))
    problems = unsupported_fields(data) + _policy_problems(group)
    if problems:
        raise LaunchNotEmulated(
            f"not emulated: {spec.template_ref} (Auto Scaling group {group.name}) sets {', '.join(problems)}: "
            "the local emulator cannot launch an instance with these settings"
        )
    return spec


# -- instance metadata -----------------------------------------------------------


def ami_imds_support(ami: Any) -> str | None:
    """The AMI's ImdsSupport (``v2.0`` or None), see AL2023_AMI_PREFIX."""
    if ami is None:
        return None
    if ami.owner_id == AMAZON_AMI_OWNER and str(ami.name or "").startswith(AL2023_AMI_PREFIX):
        return "v2.0"
    return None


def metadata_options(data: dict[str, Any], ami: Any) -> dict[str, Any]:
    """The instance's MetadataOptions: the template's, else the AMI's, else the API's defaults."""
    options = dict(API_METADATA_DEFAULTS)
    if ami_imds_support(ami) == "v2.0":
        options.update(IMDS_V2_AMI_DEFAULTS)
    options.update(_given(data.get("MetadataOptions") or {}))
    options["HttpPutResponseHopLimit"] = int(options["HttpPutResponseHopLimit"])
    return options


# -- instance profile ------------------------------------------------------------

# AWS's answer when the template's profile does not exist: CreateAutoScalingGroup
# fails with "You must use a valid fully-formed launch template. Value (NAME)
# for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance
# Profile name" (hashicorp/terraform-provider-aws#4769) or, for an ARN, "...
# Value (ARN) for parameter iamInstanceProfile.arn is invalid. Invalid IAM
# Instance Profile ARN" (aws-samples/amazon-ec2-gitlab-runner#16). A later
# scale-out in AWS fails as a scaling activity with that status reason
# (hashicorp/terraform-provider-aws#31282); the emulator answers every launch
# with the ValidationError.
_INVALID_PROFILE = (
    "You must use a valid fully-formed launch template. Value ({value}) for parameter "
    "iamInstanceProfile.{field} is invalid. Invalid IAM Instance Profile {kind}"
)


def _profile(group: Any, data: dict[str, Any]) -> Any:
    """moto's instance profile the template names, or None; raises AWS's error if it does not exist."""
    from moto.ec2.utils import filter_iam_instance_profiles

    ref = _given(data.get("IamInstanceProfile") or {})
    if not ref:
        return None
    arn, name = ref.get("Arn"), ref.get("Name")
    ec2 = group.autoscaling_backend.ec2_backend
    try:
        found = filter_iam_instance_profiles(group.account_id, ec2.partition, arn, name)
    except Exception:
        found = None
    if found is None:
        field, kind, value = ("arn", "ARN", arn) if arn else ("name", "name", name)
        raise InvalidLaunchTemplate(_INVALID_PROFILE.format(value=value, field=field, kind=kind))
    return found


# -- volumes ---------------------------------------------------------------------


def _ami(ec2: Any, image_id: str) -> Any:
    found = ec2.describe_images(filters={"image-id": image_id}) if image_id else []
    return found[0] if found else None


def block_devices(data: dict[str, Any], ami: Any) -> dict[str, dict[str, Any]]:
    """``{device name: Ebs settings}``: the AMI's mapping overwritten or merged with the template's.

    An AMI the emulator does not know (moto launches any id unless
    MOTO_ENABLE_AMI_VALIDATION is set; AWS refuses it) has no mapping of its
    own: the instance gets the template's devices only, or moto's default
    8 GiB root volume when the template maps none."""
    devices: dict[str, dict[str, Any]] = {}
    if ami is not None:
        devices = {m["DeviceName"]: dict(m.get("Ebs") or {}) for m in ami.block_device_mappings}
    for mapping in data.get("BlockDeviceMappings") or []:
        device = mapping["DeviceName"]
        if "NoDevice" in mapping:
            devices.pop(device, None)
            continue
        devices[device] = {**devices.get(device, {}), **_given(mapping.get("Ebs") or {})}
    return devices


def _key_arn(group: Any, key_ref: str) -> str:
    key = ebs_launch.key_of(group, key_ref)
    # A key that does not exist was refused before the launch (ebs_launch).
    return str(key.arn) if key is not None else key_ref


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _create_volume(group: Any, instance: Any, ebs: dict[str, Any]) -> Any:
    """One volume as EBS creates it at launch.

    AWS refuses a VolumeSize below the snapshot's size; that is not checked:
    moto's AMI snapshots are all 15 GiB, not the real AMIs' size, so the
    floor would refuse sizes AWS accepts. The defaults of a new device that
    AWS does not document (VolumeType, DeleteOnTermination) are moto's: gp2,
    kept on termination."""
    ec2 = group.autoscaling_backend.ec2_backend
    key = str(ebs.get("KmsKeyId") or "")
    # EBS encryption by default encrypts every new volume
    # (https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html).
    encrypted = _true(ebs.get("Encrypted")) or bool(getattr(ec2, "ebs_encryption_by_default", False))
    return ec2.create_volume(
        size=_int_or_none(ebs.get("VolumeSize")),
        zone_name=instance.placement.zone,
        snapshot_id=ebs.get("SnapshotId"),
        encrypted=encrypted,
        kms_key_id=_key_arn(group, key) if key else None,
        volume_type=ebs.get("VolumeType"),
        iops=_int_or_none(ebs.get("Iops")),
        throughput=_int_or_none(ebs.get("Throughput")),
    )


def _attach_volumes(group: Any, instance: Any, spec: LaunchSpec, ami: Any, tags: dict[str, str]) -> None:
    ec2 = group.autoscaling_backend.ec2_backend
    devices = block_devices(spec.data, ami)
    if not devices and ami is None:
        instance.setup_defaults()
    for device, ebs in devices.items():
        volume = _create_volume(group, instance, ebs)
        ec2.attach_volume(volume.id, instance.id, device, _true(ebs.get("DeleteOnTermination")))
    for _, attached in instance.get_block_device_mapping:
        ec2.get_volume(attached.volume_id).add_tags(tags)


# -- the launch ------------------------------------------------------------------


def _tags(data: dict[str, Any], resource_type: str) -> dict[str, str]:
    from moto.ec2.utils import convert_tag_spec

    return dict(convert_tag_spec(_tag_specifications(data)).get(resource_type, {}))


def _run_instances(group: Any, spec: LaunchSpec, ami: Any, count: int, propagated_tags: dict[str, str]) -> list[Any]:
    data = spec.data
    subnet_id = group.vpc_zone_identifier.split(",")[0] if group.vpc_zone_identifier else None
    reservation = group.autoscaling_backend.ec2_backend.run_instances(
        spec.version.image_id,
        count,
        spec.version.user_data,
        list(data.get("SecurityGroups") or []),
        instance_type=spec.instance_type,
        is_instance_type_default=False,
        key_name=data.get("KeyName"),
        security_group_ids=list(data.get("SecurityGroupIds") or []),
        tags={"instance": propagated_tags},
        placement=random.choice(group.availability_zones),
        subnet_id=subnet_id,
        # The version's number: moto's Instance tags it as aws:ec2launchtemplate:version.
        launch_template={"LaunchTemplateId": spec.version.template.id, "Version": str(spec.version.number)},
        metadata_options=metadata_options(data, ami),
        monitoring_state="enabled" if _true((data.get("Monitoring") or {}).get("Enabled")) else "disabled",
        ebs_optimized=_true(data.get("EbsOptimized")),
        block_device_mappings=[],  # no moto default volume: _attach_volumes makes them
    )
    return list(reservation.instances)


def launch(group: Any, spec: LaunchSpec, count: int, propagated_tags: dict[str, str]) -> None:
    """Launch ``count`` instances of ``group`` from ``spec``."""
    from moto.autoscaling.models import ASG_NAME_TAG, InstanceState

    profile = _profile(group, spec.data)
    ec2 = group.autoscaling_backend.ec2_backend
    ami = _ami(ec2, spec.version.image_id)
    propagated_tags[ASG_NAME_TAG] = group.name
    propagated_tags.update(group.instance_tags)  # moto's order: the template's instance tags last
    volume_tags = _tags(spec.data, "volume")
    for instance in _run_instances(group, spec, ami, count, propagated_tags):
        if profile is not None:
            ec2.associate_iam_instance_profile(instance_id=instance.id, iam_instance_profile_arn=profile.arn)
        _attach_volumes(group, instance, spec, ami, volume_tags)
        instance.autoscaling_group = group
        group.instance_states.append(
            InstanceState(instance, protected_from_scale_in=group.new_instances_protected_from_scale_in)
        )


def launching_from_template(original: Callable[..., None]) -> Callable[..., None]:
    """moto's ``replace_autoscaling_group_instances`` for launch configurations, ours for templates."""
    require_pinned_moto(__name__)

    @functools.wraps(original)
    def replace_autoscaling_group_instances(self: Any, count_needed: int, propagated_tags: dict[str, str]) -> None:
        spec = launch_spec(self)
        if spec is None:
            original(self, count_needed, propagated_tags)
            return
        launch(self, spec, count_needed, propagated_tags)

    return replace_autoscaling_group_instances
