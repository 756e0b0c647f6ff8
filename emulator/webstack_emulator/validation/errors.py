"""The errors validation raises, each carrying CloudFormation's text."""

from __future__ import annotations

from moto.cloudformation.exceptions import ValidationError


class TemplateInvalid(ValidationError):
    """The template is refused when the change set or stack is created: moto
    answers it as CloudFormation does, HTTP 400 with code ``ValidationError``
    and the message as given."""

    def __init__(self, message: str):
        super().__init__(message=message)


class PropertiesValidationFailed(Exception):
    """A resource's properties do not match its type's schema: the resource
    fails when CloudFormation comes to create (or update) it."""

    aws_text = True  # CloudFormation's wording (engine.failures.reason_of)


class InvalidRequest(Exception):
    """A resource's handler refused its properties (HandlerErrorCode
    ``InvalidRequest``, https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-test-contract-errors.html)."""

    aws_text = True  # CloudFormation's wording (engine.failures.reason_of)
