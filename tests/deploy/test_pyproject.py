"""pytest's settings in pyproject.toml: no warning filter hides a deprecation in our own code."""
import re
import tomllib

from tests.conftest import ROOT

#: Our modules' names, as a warning filter's module pattern is matched against them.
OURS = sorted({".".join(p.relative_to(base).with_suffix("").parts).removesuffix(".__init__")
               for base, folder in ((ROOT / "plugins", "motion_ops"), (ROOT, "devkit"), (ROOT, "dags"),
                                    (ROOT, "tests"), (ROOT, "bench"))
               for p in (base / folder).rglob("*.py")})


def hides_our_deprecations(entry: str) -> bool:
    """Whether a ``filterwarnings`` entry (``action:message:category:module:lineno``) ignores a
    deprecation warning that our own code could raise."""
    action, _, category, module, _ = (entry.split(":") + [""] * 5)[:5]
    if action.strip() != "ignore" or not re.search(r"^$|Deprecation|^(builtins\.)?(Warning|Exception)$",
                                                   category.strip()):
        return False
    return not module.strip() or any(re.match(module.strip(), name) for name in OURS)


def test_no_warning_filter_hides_a_deprecation_in_our_own_code():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    filters = options.get("filterwarnings", [])
    assert not [f for f in filters if hides_our_deprecations(f)], filters
    assert hides_our_deprecations("ignore::DeprecationWarning")  # what there was
    assert hides_our_deprecations("ignore::PendingDeprecationWarning:motion_ops.serve")
    assert not hides_our_deprecations("ignore::DeprecationWarning:airflow.*")  # a third party's own: allowed
    assert not hides_our_deprecations("error::DeprecationWarning")
