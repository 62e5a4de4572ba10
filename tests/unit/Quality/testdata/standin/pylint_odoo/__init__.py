"""TEST STAND-IN for OCA's pylint-odoo, used only where PyPI cannot be reached (tests/setup/15-linters.sh).

Not pylint-odoo and not part of the product: a pylint plugin under the same module name (pylint_odoo, checker
"odoolint") that emits, with pylint-odoo 10.0.x's ids, symbols and message texts (its README's check table),
the handful of checks Invoke-OdooLint's tests rely on, following the rules pylint-odoo documents for them:

  C8101 manifest-required-author   C8102 manifest-required-key   C8106 manifest-version-format
  C8112 missing-readme             E8103 sql-injection            E8146 deprecated-name-get (Odoo 17.0+)
  W8301 translation-not-lazy       E8305 translation-too-many-args  E8306 translation-too-few-args (14.0+)
  W8120 translation-positional-used

Like pylint-odoo it keeps pylint's pointless-statement off manifests (pylint-plugin-utils, Debian's
python3-pylint-plugin-utils here). It takes pylint-odoo's options that Invoke-OdooLint and its default pylintrc set (valid-odoo-versions, ...)
and ignores the rest of pylint-odoo's checks. Where PyPI is reachable the tests run the real pylint-odoo.
"""
import ast
import os
import re

from astroid import nodes
from pylint.checkers import BaseChecker
from pylint.checkers.base import BasicChecker
from pylint_plugin_utils import suppress_message

VERSIONS = ["4.2", "5.0", "6.0", "6.1", "7.0", "8.0", "9.0", "10.0", "11.0", "12.0", "13.0", "14.0",
            "15.0", "16.0", "17.0", "18.0", "19.0", "20.0"]
MANIFESTS = ("__manifest__.py", "__openerp__.py")
READMES = ("README.rst", "README.md", "README.txt")
CURSORS = ("cr", "self._cr", "self.cr", "self.env.cr")
MIN_VERSION = {"deprecated-name-get": "17.0", "translation-not-lazy": "14.0", "translation-too-many-args": "14.0",
               "translation-too-few-args": "14.0"}
PRINTF = re.compile(r"%(\([^)]*\))?[-#0 +]*(\*|\d+)?(\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")
D = "Stand-in for pylint-odoo's check of the same name."


def _version(text):
    try:
        return tuple(int(p) for p in text.split("."))
    except ValueError:
        return ()


class VersionGate(BaseChecker):
    """pylint-odoo's version gate: a check with a minimum Odoo version runs when the one valid version is at least it."""

    def add_message(self, msgid, *args, **kwargs):
        versions = self.linter.config.valid_odoo_versions
        minimum = MIN_VERSION.get(msgid)
        if minimum and len(versions) == 1 and _version(versions[0]) < _version(minimum):
            return
        super().add_message(msgid, *args, **kwargs)


class OdooLintStandIn(VersionGate):
    name = "odoolint"
    msgs = {
        "C8101": ("One of the following authors must be present in manifest: %s", "manifest-required-author", D),
        "C8102": ('Missing required key "%s" in manifest file', "manifest-required-key", D),
        "C8103": ('Deprecated key "%s" in manifest file', "manifest-deprecated-key", D),
        "C8106": ('Wrong Version Format "%s" in manifest file. Regex to match: "%s"', "manifest-version-format", D),
        "C8112": ("Missing ./README.rst file. Template here: %s", "missing-readme", D),
        "E8103": ("SQL injection risk. Use parameters if you can. - More info https://github.com/OCA/odoo-community.org"
                  "/blob/master/website/Contribution/CONTRIBUTING.rst#no-sql-injection", "sql-injection", D),
        "E8146": ("'name_get' is deprecated. Use '_compute_display_name' instead. More info at "
                  "https://github.com/odoo/odoo/pull/122085.", "deprecated-name-get", D),
        "W8120": ("Translation method _(%s) is using positional string printf formatting with multiple arguments. "
                  "Use named placeholder `_(\"%%(placeholder)s\")` instead.", "translation-positional-used", D),
    }
    options = (
        ("valid-odoo-versions", {"type": "csv", "metavar": "<comma separated values>", "default": VERSIONS,
                                 "help": "List of valid odoo versions separated by a comma."}),
        ("manifest-required-authors", {"type": "csv", "metavar": "<comma separated values>",
                                       "default": ["Odoo Community Association (OCA)"], "help": "Required authors."}),
        ("manifest-required-keys", {"type": "csv", "metavar": "<comma separated values>", "default": ["license"],
                                    "help": "Required manifest keys."}),
        ("manifest-deprecated-keys", {"type": "csv", "metavar": "<comma separated values>", "default": ["description"],
                                      "help": "Deprecated manifest keys."}),
        ("license-allowed", {"type": "csv", "metavar": "<comma separated values>",
                             "default": ["AGPL-3", "GPL-2 or any later version", "GPL-2", "GPL-3 or any later version",
                                         "GPL-3", "LGPL-3"], "help": "Allowed licenses."}),
        ("readme-template-url", {"type": "string", "metavar": "<string>",
                                 "default": "https://github.com/OCA/maintainer-tools/blob/master/template/module/README.rst",
                                 "help": "URL of the README template."}),
    )

    def visit_dict(self, node):
        if os.path.basename(self.linter.current_file) not in MANIFESTS or not isinstance(node.parent, nodes.Expr):
            return
        try:
            manifest = ast.literal_eval(node.as_string())
        except ValueError:
            return
        keys = {k.value: k for k, _v in node.items if isinstance(k, nodes.Const)}
        config = self.linter.config
        authors = {a.strip() for a in str(manifest.get("author", "")).split(",")}
        if not authors & set(config.manifest_required_authors):
            self.add_message("manifest-required-author", node=keys.get("author") or node,
                             args=(", ".join("'%s'" % a for a in config.manifest_required_authors),))
        for key in config.manifest_required_keys:
            if key not in manifest:
                self.add_message("manifest-required-key", node=node, args=(key,))
        for key in config.manifest_deprecated_keys:
            if key in manifest:
                self.add_message("manifest-deprecated-key", node=keys.get(key) or node, args=(key,))
        version = manifest.get("version", "")
        pattern = r"({})\.\d+\.\d+\.\d+$".format("|".join(map(re.escape, config.valid_odoo_versions)))
        if version and not re.match(pattern, version):
            self.add_message("manifest-version-format", node=keys.get("version") or node, args=(version, pattern))
        folder = os.path.dirname(self.linter.current_file)
        if not any(os.path.isfile(os.path.join(folder, r)) for r in READMES):
            self.add_message("missing-readme", node=node, args=(config.readme_template_url,))

    def visit_functiondef(self, node):
        if node.name == "name_get":
            self.add_message("deprecated-name-get", node=node)

    def visit_call(self, node):
        func = node.func
        name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", None)
        if name in ("execute", "executemany") and isinstance(func, nodes.Attribute):
            self._check_sql(node, func)
        elif name in ("_", "_lt") and node.args and isinstance(node.args[0], nodes.Const) and isinstance(node.args[0].value, str):
            positional = [m for m in PRINTF.finditer(node.args[0].value) if m.group(5) != "%" and not m.group(1)]
            if len(positional) >= 2:
                self.add_message("translation-positional-used", node=node, args=(node.args[0].as_string(),))

    def _check_sql(self, node, func):
        if func.expr.as_string() not in CURSORS or len(node.args) != 1:
            return
        if os.path.basename(self.linter.current_file).startswith("test_"):
            return
        if self._risky(node.args[0]):
            self.add_message("sql-injection", node=node)

    def _allowed(self, node):
        if isinstance(node, nodes.FormattedValue):
            node = node.value
        if isinstance(node, nodes.Call):
            node = node.func
        return isinstance(node, nodes.Const) or (
            isinstance(node, nodes.Attribute) and isinstance(node.expr, nodes.Name) and node.attrname.startswith("_"))

    def _risky(self, node):
        if isinstance(node, nodes.BinOp) and node.op in ("%", "+"):
            right = node.right.elts if isinstance(node.right, nodes.Tuple) else (
                [v for _k, v in node.right.items] if isinstance(node.right, nodes.Dict) else [node.right])
            return not all(map(self._allowed, right)) or (not self._allowed(node.left) and self._risky(node.left))
        if isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute) and node.func.attrname == "format":
            return not all(self._allowed(a) for a in list(node.args) + [k.value for k in node.keywords or []])
        if isinstance(node, nodes.JoinedStr):
            return not all(self._allowed(v) for v in node.values)
        return False



class TranslationStandIn(VersionGate):
    """pylint-odoo's translation checks (pylint's logging checks applied to odoo._), ids 83xx."""
    name = "odoolint"
    msgs = {
        "W8301": ("Use %s formatting in odoo._ functions", "translation-not-lazy", D),
        "E8305": ("Too many arguments for odoo._ format string", "translation-too-many-args", D),
        "E8306": ("Not enough arguments for odoo._ format string", "translation-too-few-args", D),
    }

    def visit_call(self, node):
        name = node.func.attrname if isinstance(node.func, nodes.Attribute) else getattr(node.func, "name", None)
        if name not in ("_", "_lt") or not node.args:
            return
        first = node.args[0]
        if isinstance(first, nodes.BinOp) and first.op == "%" and isinstance(first.left, nodes.Const):
            self.add_message("translation-not-lazy", node=node, args=("lazy %",))
            return
        if not (isinstance(first, nodes.Const) and isinstance(first.value, str)):
            return
        placeholders = [m for m in PRINTF.finditer(first.value) if m.group(5) != "%"]
        supplied = len(node.args) - 1
        if supplied == 0 or any(m.group(1) for m in placeholders):
            return
        if supplied > len(placeholders):
            self.add_message("translation-too-many-args", node=node)
        elif supplied < len(placeholders):
            self.add_message("translation-too-few-args", node=node)


def _is_manifest(node):
    return os.path.basename(node.root().file) in MANIFESTS


def register(linter):
    # As pylint-odoo: a manifest is one dict expression, not a pointless statement.
    suppress_message(linter, BasicChecker.visit_expr, "pointless-statement", _is_manifest)
    linter.register_checker(OdooLintStandIn(linter))
    linter.register_checker(TranslationStandIn(linter))
