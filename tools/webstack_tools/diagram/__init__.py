"""Architecture diagram drawn from the synthesized templates, so it is always true.

    python -m webstack_tools.diagram --env prod [--config FILE] [--out docs/]

writes ``architecture-<env>.dot``, ``.svg`` and ``.png`` (the last two need
Graphviz's ``dot``). The app is synthesized in-process, then
:func:`build_graph` reads nothing but the CloudFormation templates of the
:class:`~webstack_tools.assembly.CloudAssembly`: what it draws is what
CloudFormation will deploy.

Modules: :mod:`.references` (who references whom, from cfn-lint's template
graph plus cross-stack outputs), :mod:`.build` with :mod:`.network`,
:mod:`.details` and :mod:`.edges` (the graph), :mod:`.model` (what is drawn),
:mod:`.render` (DOT text and Graphviz), :mod:`.cli` (the command).
"""

from webstack_tools.diagram.build import build_dot, build_graph
from webstack_tools.diagram.cli import DOCS, ROOT, main, synthesize, title_for
from webstack_tools.diagram.model import Cluster, Edge, Graph, Node
from webstack_tools.diagram.references import Ref, TemplateIndex
from webstack_tools.diagram.render import render_dot, render_files

__all__ = [
    "DOCS",
    "ROOT",
    "Cluster",
    "Edge",
    "Graph",
    "Node",
    "Ref",
    "TemplateIndex",
    "build_dot",
    "build_graph",
    "main",
    "render_dot",
    "render_files",
    "synthesize",
    "title_for",
]
