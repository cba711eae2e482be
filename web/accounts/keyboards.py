"""The French AZERTY keyboard as a zxcvbn adjacency graph, so its walks ("azertyuiop",
"qsdfghjklm", "wxcvbn,;:!", &é"'(-è_çà) are seen like zxcvbn's QWERTY ones.

zxcvbn 4.5 ships QWERTY, Dvorak and two keypads, built by a script that is not part of the
package; ``slanted_graph`` does the same from a drawing of the keys (a test checks it rebuilds
zxcvbn's QWERTY graph exactly).
"""

from __future__ import annotations

import re

# Each key is "unshifted shifted"; each row is drawn one column right of the one above, as
# zxcvbn's drawings are. The ² key (no shifted character) is left out, keeping the columns.
AZERTY_LAYOUT = r"""
   &1 é2 "3 '4 (5 -6 è7 _8 ç9 à0 )° =+
    aA zZ eE rR tT yY uU iI oO pP ^¨ $£
     qQ sS dD fF gG hH jJ kK lL mM ù% *µ
   <> wW xX cC vV bB nN ,? ;. :/ !§
"""

KEY_WIDTH = 3  # two characters and a space


def _neighbours(x: int, y: int) -> list[tuple[int, int]]:
    """zxcvbn's order of directions: left, the two keys above, right, the two below."""
    return [(x - 1, y), (x, y - 1), (x + 1, y - 1), (x + 1, y), (x, y + 1), (x - 1, y + 1)]


def slanted_graph(layout: str) -> dict[str, list[str | None]]:
    """{character: the keys around its key, in zxcvbn's order, None off the keyboard}."""
    keys = {}
    for y, line in enumerate(layout.split("\n")):
        for found in re.finditer(r"\S+", line):
            x, offset = divmod(found.start() - (y - 1), KEY_WIDTH)
            if offset or len(found.group()) != KEY_WIDTH - 1:
                raise ValueError(f"key {found.group()!r} is not in a column")
            keys[x, y] = found.group()
    return {
        character: [keys.get(place) for place in _neighbours(x, y)]
        for (x, y), key in keys.items()
        for character in key
    }


AZERTY = slanted_graph(AZERTY_LAYOUT)
