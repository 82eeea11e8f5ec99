"""Every command of the `firmas` tree, found by walking it (so new commands are included), has help
with an example."""

import typer
from typer.testing import CliRunner

from app.cli import app


def leaf_commands(command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    # why: recent typer vendors its own click, so groups are recognised by their subcommands.
    if getattr(command, "commands", None):
        return [leaf for name, sub in command.commands.items() for leaf in leaf_commands(sub, (*path, name))]
    return [path]


def test_every_command_in_the_tree_has_help_with_an_example() -> None:
    commands = leaf_commands(typer.main.get_command(app))
    assert ("backup",) in commands and ("restore",) in commands
    missing = []
    for command in commands:
        result = CliRunner().invoke(app, [*command, "--help"])
        if result.exit_code != 0 or "Example:" not in result.output:
            missing.append(command)
    assert missing == []
