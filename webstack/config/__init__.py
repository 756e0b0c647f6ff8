"""Typed, frozen, validated configuration: one pydantic model per environment.

`load_config(name, overrides)` is the only way in. It starts from the
environment's defaults (`ENVIRONMENTS`), merges overrides (a nested mapping,
usually read from a JSON file by :func:`parse_overrides`), and validates the
result once against the strict schema in :mod:`.models`. A problem raises
:class:`ConfigError`, whose message names the offending field and the fix;
``app.py`` turns it into one clear line and exit 2 before anything is
synthesized.

Fields say what varies (``nat_gateways``, ``retain_data``), never which
environment it is: constructs receive these values (or the sub-models) as
keyword arguments and never read context, files or the process environment.
"""

from webstack.config.aws import (
    CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS,
    DEFAULT_REGION,
    EDGE_REGION,
    LOG_RETENTION_DAYS,
    PRICE_CLASSES,
    REGION_ZONES,
)
from webstack.config.environments import ENVIRONMENTS
from webstack.config.loading import ConfigError, load_config, parse_overrides
from webstack.config.models import (
    API_PATH,
    DEFAULT_RULE_GROUPS,
    Alarms,
    AppSource,
    Capacity,
    CdnTuning,
    Domain,
    EnvironmentConfig,
    LoadBalancing,
    ManagedRuleGroup,
    Origin,
    OriginProtection,
    Scaling,
    ScheduledScaling,
    SiteSource,
    Waf,
)
from webstack.config.schema import config_schema

__all__ = [
    "API_PATH",
    "CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS",
    "DEFAULT_REGION",
    "DEFAULT_RULE_GROUPS",
    "EDGE_REGION",
    "ENVIRONMENTS",
    "LOG_RETENTION_DAYS",
    "PRICE_CLASSES",
    "REGION_ZONES",
    "Alarms",
    "AppSource",
    "Capacity",
    "CdnTuning",
    "ConfigError",
    "Domain",
    "EnvironmentConfig",
    "LoadBalancing",
    "ManagedRuleGroup",
    "Origin",
    "OriginProtection",
    "Scaling",
    "ScheduledScaling",
    "SiteSource",
    "Waf",
    "config_schema",
    "load_config",
    "parse_overrides",
]
