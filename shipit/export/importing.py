"""The resources-to-import file of a change set of type IMPORT: each resource of the template
with the identity of the live resource it adopts."""

from __future__ import annotations

from typing import Any

from shipit.export.model import Template


def resources_to_import(template: Template) -> list[dict[str, Any]]:
    return [{"ResourceType": resource.type, "LogicalResourceId": name,
             "ResourceIdentifier": dict(resource.identifier)}
            for name, resource in template.resources.items() if resource.identifier]


def import_commands(stack: str, template_path: str, imports_path: str) -> list[str]:
    """The two AWS CLI commands that bring the clicked resources under CloudFormation."""
    return [
        f"aws cloudformation create-change-set --stack-name {stack} --change-set-name import"
        f" --change-set-type IMPORT --template-body file://{template_path}"
        f" --resources-to-import file://{imports_path} --capabilities CAPABILITY_NAMED_IAM",
        f"aws cloudformation execute-change-set --stack-name {stack} --change-set-name import",
    ]
