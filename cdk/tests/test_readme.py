"""The README's first example in CDK Python synthesizes the README's first template."""

from __future__ import annotations

import re
from typing import Any

import yaml

from conftest import ROOT

README = (ROOT / "README.md").read_text()


class TemplateLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms, as the README writes them (!Sub, !GetAtt, !Ref)."""


def _short_form(name: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        value = loader.construct_scalar(node)  # type: ignore[arg-type]
        if name == "Fn::GetAtt":
            return {name: value.split(".", 1)}
        return {name: value}

    return construct


for tag, intrinsic in {"!Sub": "Fn::Sub", "!GetAtt": "Fn::GetAtt", "!Ref": "Ref"}.items():
    TemplateLoader.add_constructor(tag, _short_form(intrinsic))


def first_block(language: str) -> str:
    return re.search(rf"```{language}\n(.*?)```", README, re.DOTALL).group(1)  # type: ignore[union-attr]


def test_the_readmes_cdk_example_gives_the_readmes_template():
    expected = yaml.load(first_block("yaml"), Loader=TemplateLoader)
    namespace: dict[str, Any] = {}

    exec(compile(first_block("python"), "README.md", "exec"), namespace)

    template = namespace["app"].synth().get_stack_by_name("DeploymentTriggers").template
    assert template["Resources"] == expected["Resources"]
    assert template["Outputs"] == expected["Outputs"]
