"""A setting is read and written through a named key (store/setting_keys.py or the owner module's
constant), never a string typed at the call: a typo there is a setting silently never found."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "desa_capil"
CALLS = {"get_setting", "set_setting"}


def literal_key_calls(source: str, name: str) -> list[str]:
    """`name:line call('key')` for each get_setting/set_setting called with a typed string key."""
    out = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        fn = node.func
        called = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
        key = node.args[1]
        if called in CALLS and isinstance(key, ast.Constant) and isinstance(key.value, str):
            out.append(f"{name}:{node.lineno} {called}({key.value!r})")
    return out


def test_settings_are_read_and_written_through_named_keys() -> None:
    found = [
        hit
        for p in sorted(PACKAGE.rglob("*.py"))
        for hit in literal_key_calls(p.read_text(encoding="utf-8"), str(p.relative_to(PACKAGE.parent)))
    ]
    assert not found, found


def test_the_check_sees_a_typed_key() -> None:
    src = 'get_setting(db, "village_name")\nrepo.set_setting(db, KEY, "1")\nrepo.get_setting(db, "x", "")\n'
    assert literal_key_calls(src, "m.py") == ["m.py:1 get_setting('village_name')", "m.py:3 get_setting('x')"]
