"""``espace letters list|export``: the postal letters with a provisional password."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from web.i18n import gettext as _
from web.i18n import use_language
from web.operations.console import cli_language, fail, load_settings, run

app = typer.Typer(help="Postal letters with a provisional password (espace-prive).",
                  no_args_is_help=True)


@app.command("list")
def list_letters(
    all_letters: bool = typer.Option(False, "--all", help="also list the exported letters"),
) -> None:
    """List the letters waiting to be exported and posted."""
    from web.portals.espace_prive.letters import letters

    with use_language(cli_language()):
        found = run(load_settings(), lambda: letters(include_exported=all_letters))
        for letter in found:
            state = (_("exported %(when)s", when=letter.exported_at.strftime("%Y-%m-%d %H:%M"))
                     if letter.exported_at else _("waiting"))
            address = ", ".join(line.strip() for line in letter.address.splitlines() if line)
            typer.echo(f"#{letter.id}  {letter.created_at:%Y-%m-%d %H:%M}  {letter.language}  "
                       f"{state}  {letter.name} – {address}")
        typer.echo(_("%(count)s letter(s).", count=len(found)))


@app.command("export")
def export(
    folder: Path = typer.Argument(..., help="folder to write the letters to (created if needed)"),
) -> None:
    """Write each waiting letter to a text file with a new provisional password (7 days)."""
    from web.branding import load_portals
    from web.portals.espace_prive.letters import export_letters
    from web.portals.registry import offline_links

    with use_language(cli_language()):
        settings = load_settings()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not os.access(folder, os.W_OK):
                raise PermissionError(_("not writable"))
        except OSError as error:
            raise fail(_("Cannot write the letters to %(folder)s: %(error)s",
                         folder=str(folder), error=error.strerror or str(error))) from None
        portals = load_portals(settings)
        links = offline_links(settings.base_url, portals)
        written = run(settings, lambda: export_letters(folder, links=links, portals=portals))
        for path in written:
            typer.echo(str(path))
        typer.echo(_("%(count)s letter(s) written to %(folder)s: print and post them, then "
                     "delete the files.", count=len(written), folder=str(folder)))
