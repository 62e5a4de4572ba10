#!/usr/bin/env python3
"""Generates a realistic Odoo addon tree of about SIZE_MB megabytes for the packaging benchmark:
Python models, XML views and data, CSV access rules, PO translations, static JS/CSS/SVG, and
already-compressed images (PNG/JPEG bodies are random bytes, as compressed data is)."""
import os
import random
import sys

root = sys.argv[1]
size_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 300
rng = random.Random(20261123)
words = ("partner campaign influencer budget follower rate channel brief approval invoice "
         "sale order line amount currency state draft done cancel user group access "
         "record field view form tree kanban search action menu report").split()


def sentence(n):
    return " ".join(rng.choice(words) for _ in range(n))


def python_file(i):
    lines = ["from odoo import api, fields, models", "", ""]
    for c in range(8):
        lines.append(f"class IgModel{i}_{c}(models.Model):")
        lines.append(f"    _name = 'ig.model{i}.{c}'")
        lines.append(f"    _description = '{sentence(4)}'")
        for f in range(25):
            kind = rng.choice(["Char", "Integer", "Float", "Boolean", "Text", "Date"])
            lines.append(f"    {rng.choice(words)}_{f} = fields.{kind}(string='{sentence(3).title()}', help='{sentence(10)}')")
        lines.append("")
        lines.append("    @api.depends('state')")
        lines.append(f"    def _compute_{rng.choice(words)}(self):")
        lines.append("        for record in self:")
        lines.append(f"            record.{rng.choice(words)}_0 = '{sentence(6)}'")
        lines.append("")
    return "\n".join(lines) + "\n"


def xml_file(i):
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<odoo>"]
    for r in range(40):
        out.append(f'    <record id="view_{i}_{r}" model="ir.ui.view">')
        out.append(f'        <field name="name">ig.view.{i}.{r}</field>')
        out.append(f'        <field name="arch" type="xml"><form><sheet><group><field name="{rng.choice(words)}"/>'
                   f'<field name="{rng.choice(words)}" string="{sentence(3)}"/></group></sheet></form></field>')
        out.append("    </record>")
    out.append("</odoo>")
    return "\n".join(out) + "\n"


def po_file():
    out = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', ""]
    for _ in range(300):
        out += [f"#. module: ig", f'msgid "{sentence(6)}"', f'msgstr "{sentence(6)}"', ""]
    return "\n".join(out)


def csv_file():
    rows = ["id,name,model_id:id,group_id:id,perm_read,perm_write,perm_create,perm_unlink"]
    for r in range(400):
        rows.append(f"access_{r},{sentence(2)},model_{r},base.group_user,1,{r % 2},{r % 3 % 2},0")
    return "\n".join(rows) + "\n"


def js_file():
    return "\n".join(f"export function {rng.choice(words)}{n}(a, b) {{ return a.{rng.choice(words)} + b.{rng.choice(words)} * {n}; }}" for n in range(400)) + "\n"


total = 0
target = size_mb * 1024 * 1024
addon = 0
while total < target:
    name = f"ig_bench_{addon:03d}"
    base = os.path.join(root, name)
    for d in ("models", "views", "data", "security", "i18n", "static/src/js", "static/src/img", "static/description", "tests"):
        os.makedirs(os.path.join(base, d), exist_ok=True)
    files = {
        "__manifest__.py": f"{{'name': 'Bench {addon}', 'version': '17.0.1.0.{addon}', 'depends': ['base'], "
                           f"'data': ['security/ir.model.access.csv', 'views/views_0.xml'], 'license': 'LGPL-3'}}\n",
        "__init__.py": "from . import models\n",
        "models/__init__.py": "".join(f"from . import model_{m}\n" for m in range(6)),
        "security/ir.model.access.csv": csv_file(),
        "tests/test_bench.py": python_file(999),
    }
    for m in range(6):
        files[f"models/model_{m}.py"] = python_file(m)
    for v in range(6):
        files[f"views/views_{v}.xml"] = xml_file(v)
        files[f"data/data_{v}.xml"] = xml_file(v + 10)
    for lang in ("fr", "de", "es", "nl", "it"):
        files[f"i18n/{lang}.po"] = po_file()
    for j in range(4):
        files[f"static/src/js/widget_{j}.js"] = js_file()
    for name_, content in files.items():
        with open(os.path.join(base, name_), "w") as f:
            f.write(content)
        total += len(content)
    # Already-compressed images: about a fifth of the bytes.
    for k in range(3):
        for ext in ("png", "jpg"):
            data = rng.randbytes(rng.randint(60_000, 200_000))
            with open(os.path.join(base, f"static/src/img/pic_{k}.{ext}"), "wb") as f:
                f.write(data)
            total += len(data)
    addon += 1
print(f"{addon} addons, {total / 1024 / 1024:.0f} MiB in {root}")
