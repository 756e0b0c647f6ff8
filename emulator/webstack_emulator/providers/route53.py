"""Route 53: hosted zone ids shaped like AWS's.

moto 5.2.5 makes ids of 22 random characters from [A-Z0-9]; AWS's always
start with ``Z`` (``Z1RWWTK7Y8UDDQ``, ``Z0123456789ABCDEFGHIJ``), and
webstack's config validation (``domain.hosted_zone_id``) insists on it. No
CloudFormation types here: moto's own ``AWS::Route53::*`` models are used.
"""

from __future__ import annotations

from moto.moto_api._internal import mock_random
from moto.route53 import models as route53_models
from moto.utilities.id_generator import ExistingIds, ResourceIdentifier, Tags, moto_id

from ..engine import replace, require_pinned_moto


@moto_id
def create_route53_zone_id(
    resource_identifier: ResourceIdentifier,
    existing_ids: ExistingIds = None,
    tags: Tags = None,
) -> str:
    return "Z" + "".join(mock_random.choice(route53_models.ROUTE53_ID_CHOICE) for _ in range(20))


def install() -> None:
    require_pinned_moto(__name__)
    replace(route53_models, "create_route53_zone_id", create_route53_zone_id)
