"""The rules of webstack_pitfalls/rules/ec2.py: PrefixListSecurityGroupOnePortNotOpen (D9),
LaunchTemplateWithAmazonLinux2023 (D11), SecurityGroupIngressUnique (D12)."""

from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2

from .conftest import CaseBook, ack, module_results

D9 = "Webstack-PrefixListSecurityGroupOnePortNotOpen"
D11 = "Webstack-LaunchTemplateWithAmazonLinux2023"
D12 = "Webstack-SecurityGroupIngressUnique"

book = CaseBook()
fired = module_results(book)

CLOUDFRONT_PL = "pl-4fa04526"  # com.amazonaws.global.cloudfront.origin-facing (eu-west-1)


def _vpc(stack):
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        private_subnet_ids=["subnet-0a", "subnet-0b"],
    )


# -- D9 security group restricted to a prefix list ----------------------------


def _group(stack, *ports, open_too=False):
    sg = ec2.SecurityGroup(stack, "AlbSg", vpc=_vpc(stack), allow_all_outbound=False)
    for port in ports:
        sg.add_ingress_rule(ec2.Peer.prefix_list(CLOUDFRONT_PL), ec2.Port.tcp(port), "CloudFront origin-facing")
    if open_too:
        sg.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(ports[0]), "listener default open=True")
    return sg


@book.case("D9Good")
def _(stack):
    _group(stack, 443)


@book.case("D9BadPorts")
def _(stack):
    _group(stack, 80, 443)


@book.case("D9BadOpen")
def _(stack):
    _group(stack, 443, open_too=True)


@book.case("D9Acked")
def _(stack):
    ack(_group(stack, 80, 443), f"{D9}[PrefixListPorts]")


@book.case("D9AckedOpen")
def _(stack):
    ack(_group(stack, 443, open_too=True), f"{D9}[OpenIngress]")


def test_d9_one_prefix_list_port_is_compliant(fired):
    assert fired("D9Good", D9) == set()


def test_d9_prefix_list_on_two_ports_fires(fired):
    assert fired("D9BadPorts", D9) == {f"{D9}[PrefixListPorts]"}


def test_d9_prefix_list_and_open_ingress_fires(fired):
    assert fired("D9BadOpen", D9) == {f"{D9}[OpenIngress]"}


def test_d9_acknowledged(fired):
    assert fired("D9Acked", D9) == set()


def test_d9_open_ingress_acknowledged(fired):
    assert fired("D9AckedOpen", D9) == set()


# -- D11 launch configurations and Amazon Linux 2 -----------------------------


def _launch_template(stack, image):
    return ec2.LaunchTemplate(stack, "LaunchTemplate", machine_image=image, instance_type=ec2.InstanceType("t3.micro"))


@book.case("D11Good")
def _(stack):
    _launch_template(stack, ec2.MachineImage.latest_amazon_linux2023())


@book.case("D11BadAl2")
def _(stack):
    _launch_template(stack, ec2.MachineImage.latest_amazon_linux2())


def _launch_configuration(stack):
    return autoscaling.CfnLaunchConfiguration(
        stack, "LaunchConfig", image_id="ami-0123456789abcdef0", instance_type="t3.micro"
    )


@book.case("D11BadLaunchConfig")
def _(stack):
    _launch_configuration(stack)


@book.case("D11Acked")
def _(stack):
    ack(_launch_template(stack, ec2.MachineImage.latest_amazon_linux2()), f"{D11}[AmazonLinux2]")


@book.case("D11AckedLaunchConfig")
def _(stack):
    ack(_launch_configuration(stack), f"{D11}[LaunchConfiguration]")


def test_d11_launch_template_with_al2023_is_compliant(fired):
    assert fired("D11Good", D11) == set()


def test_d11_amazon_linux_2_fires(fired):
    assert fired("D11BadAl2", D11) == {f"{D11}[AmazonLinux2]"}


def test_d11_launch_configuration_fires(fired):
    assert fired("D11BadLaunchConfig", D11) == {f"{D11}[LaunchConfiguration]"}


def test_d11_acknowledged(fired):
    assert fired("D11Acked", D11) == set()


def test_d11_launch_configuration_acknowledged(fired):
    assert fired("D11AckedLaunchConfig", D11) == set()


# -- D12 duplicate ingress rules ----------------------------------------------


def _duplicated(stack, duplicate=True):
    sg = ec2.SecurityGroup(stack, "AppSg", vpc=_vpc(stack), allow_all_outbound=False)
    sg.add_ingress_rule(ec2.Peer.ipv4("10.0.0.0/16"), ec2.Port.tcp(8080), "from the VPC")
    if duplicate:
        # The same rule again by hand, as a separate resource.
        ec2.CfnSecurityGroupIngress(
            stack,
            "ExtraIngress",
            group_id=sg.security_group_id,
            ip_protocol="tcp",
            from_port=8080,
            to_port=8080,
            cidr_ip="10.0.0.0/16",
        )
    return sg


@book.case("D12Good")
def _(stack):
    _duplicated(stack, duplicate=False)


@book.case("D12Bad")
def _(stack):
    _duplicated(stack)


def _duplicated_standalone(stack):
    """The rule connections.allow_from adds, again by hand; returns the group and the finding id."""
    vpc = _vpc(stack)
    sg = ec2.SecurityGroup(stack, "AppSg", vpc=vpc, allow_all_outbound=False)
    lb_sg = ec2.SecurityGroup(stack, "LbSg", vpc=vpc, allow_all_outbound=False)
    sg.connections.allow_from(lb_sg, ec2.Port.tcp(8080))
    ec2.CfnSecurityGroupIngress(
        stack,
        "Again",
        group_id=sg.security_group_id,
        ip_protocol="tcp",
        from_port=8080,
        to_port=8080,
        source_security_group_id=lb_sg.security_group_id,
    )
    source = stack.resolve(stack.get_logical_id(lb_sg.node.default_child))
    return sg, f"{D12}[tcp:8080:{source}]"


@book.case("D12BadStandalone")
def _(stack):
    _duplicated_standalone(stack)


@book.case("D12Acked")
def _(stack):
    ack(_duplicated(stack), f"{D12}[tcp:8080:10.0.0.0/16]")


@book.case("D12AckedStandalone")
def _(stack):
    sg, finding = _duplicated_standalone(stack)
    ack(sg, finding)


def test_d12_single_rule_is_compliant(fired):
    assert fired("D12Good", D12) == set()


def test_d12_inline_and_standalone_duplicate_fires(fired):
    assert fired("D12Bad", D12) == {f"{D12}[tcp:8080:10.0.0.0/16]"}


def test_d12_duplicate_standalone_rules_fire(fired):
    (finding,) = fired("D12BadStandalone", D12)
    assert finding.startswith(f"{D12}[tcp:8080:LbSg")


def test_d12_acknowledged(fired):
    assert fired("D12Acked", D12) == set()


def test_d12_duplicate_standalone_rules_acknowledged(fired):
    assert fired("D12AckedStandalone", D12) == set()


def test_compliant_cases_are_clean_for_every_rule(fired):
    assert fired.dirty_compliant_cases() == {}


def test_every_finding_has_an_acknowledged_case(fired):
    for rule in (D9, D11, D12):
        assert fired.without_acknowledged_case(rule) == set()
