"""Lambda: deprecated runtimes cannot be used to create or update functions.

"The runtime parameter of RUNTIME is no longer supported for creating or
updating AWS Lambda functions. We recommend you use a supported runtime while
creating or updating functions." -- ``InvalidParameterValueException``
(CloudFormation: vittorio-nardone/disposable_app#3 for python3.7; older
messages name a successor instead of "a supported runtime",
transcend-io/terraform-aws-lambda-at-edge#18).

When: "Block function create" and "Block function update" of the deprecated
runtimes table (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-deprecated,
https://docs.aws.amazon.com/lambda/latest/dg/runtime-support-policy.html).
The stored copies of that page lost the table, so the dates below are AWS's
as transcribed in cfn-lint's ``LmbdRuntimeLifecycle.json``
(aws-cloudformation/cfn-lint, src/cfnlint/data/AdditionalSpecs), read on
2026-12-03. Runtimes deprecated later (python3.9, nodejs20.x, python3.10,
python3.11, java8.al2, java11, java17, provided.al2, ruby3.2, dotnet8...) are
not listed: their block dates were not in that source, and the emulator does
not guess them. moto's ``AWS::Lambda::Function`` accepts any runtime; the
check is added in front of its create and update (:func:`install`).
"""

from __future__ import annotations

import datetime
import functools

from ...engine import require_pinned_moto
from ._errors import refuse
from ._hooks import install_checks

_D = datetime.date

# runtime: (block function create, block function update)
RUNTIME_BLOCK_DATES: dict[str, tuple[datetime.date, datetime.date]] = {
    "dotnet6": (_D(2025, 10, 1), _D(2025, 11, 1)),
    "dotnet7": (_D(2024, 5, 14), _D(2024, 5, 14)),
    "dotnetcore1.0": (_D(2019, 7, 30), _D(2019, 7, 30)),
    "dotnetcore2.0": (_D(2019, 5, 30), _D(2019, 5, 30)),
    "dotnetcore2.1": (_D(2022, 1, 5), _D(2022, 4, 13)),
    "dotnetcore3.1": (_D(2023, 4, 3), _D(2023, 5, 3)),
    "go1.x": (_D(2024, 2, 8), _D(2025, 11, 1)),
    "java8": (_D(2024, 2, 8), _D(2025, 11, 1)),
    "nodejs": (_D(2016, 10, 31), _D(2016, 10, 31)),
    "nodejs4.3": (_D(2020, 3, 5), _D(2020, 3, 5)),
    "nodejs4.3-edge": (_D(2019, 4, 30), _D(2019, 4, 30)),
    "nodejs6.10": (_D(2019, 8, 12), _D(2019, 8, 12)),
    "nodejs8.10": (_D(2020, 3, 6), _D(2020, 3, 6)),
    "nodejs10.x": (_D(2021, 7, 30), _D(2022, 2, 14)),
    "nodejs12.x": (_D(2023, 3, 31), _D(2023, 4, 30)),
    "nodejs14.x": (_D(2024, 7, 9), _D(2025, 11, 1)),
    "nodejs16.x": (_D(2025, 10, 1), _D(2025, 11, 1)),
    "nodejs18.x": (_D(2025, 10, 1), _D(2025, 11, 1)),
    "provided": (_D(2024, 2, 8), _D(2025, 11, 1)),
    "python2.7": (_D(2021, 7, 15), _D(2022, 5, 30)),
    "python3.6": (_D(2022, 7, 18), _D(2022, 8, 29)),
    "python3.7": (_D(2024, 1, 9), _D(2025, 11, 1)),
    "python3.8": (_D(2025, 10, 1), _D(2025, 11, 1)),
    "ruby2.5": (_D(2021, 7, 30), _D(2022, 3, 31)),
    "ruby2.7": (_D(2024, 1, 9), _D(2025, 11, 1)),
}


def check_runtime(runtime: str | None, *, update: bool, today: datetime.date | None = None) -> None:
    """Refuse a runtime whose create (or update) block date has passed."""
    dates = RUNTIME_BLOCK_DATES.get(str(runtime or ""))
    if dates is None:
        return
    blocked_from = dates[1] if update else dates[0]
    if (today or datetime.date.today()) >= blocked_from:
        raise refuse(
            "InvalidParameterValueException",
            f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda "
            "functions. We recommend you use a supported runtime while creating or updating functions.",
        )


@functools.cache
def install() -> None:
    """Put the runtime check in front of moto's ``AWS::Lambda::Function`` (once per process)."""
    require_pinned_moto(__name__)
    from moto.awslambda.models import LambdaFunction

    install_checks(
        LambdaFunction,
        create=lambda props, _account, _region: check_runtime(props.get("Runtime"), update=False),
        update=lambda props, _account, _region: check_runtime(props.get("Runtime"), update=True),
    )
