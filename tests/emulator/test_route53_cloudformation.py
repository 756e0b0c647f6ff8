"""Route 53 hosted zone ids (providers/route53.py)."""

from __future__ import annotations

import re


def test_hosted_zone_ids_look_like_aws(aws):

    zone = aws("route53").create_hosted_zone(Name="zid.test", CallerReference="zid")["HostedZone"]
    assert re.fullmatch(r"Z[A-Z0-9]{20}", zone["Id"].split("/")[-1])
