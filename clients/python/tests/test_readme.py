"""The README's "From Python" snippet, run as written against the demo server in a folder holding the files it
names: the connection file, a linkage key and sharectl's sample CSV (or, without sharectl built, a CSV of the same
columns)."""

import contextlib
import io
import os
import re
import shutil
import subprocess
import uuid

from conftest import ROOT
from sharingplatform.pseudonymization import LinkageKey


def _snippet():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## From Python"):text.index("## From JavaScript")]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_snippet_runs_as_written(server, tmp_path, monkeypatch):
    shutil.copy(os.path.join(server["data"], "demo", "nkdb-demo-sync.json"), tmp_path / "nkdb-demo-sync.json")
    LinkageKey.create().save(tmp_path / "linkage.key")
    dll = next((ROOT / "clients" / "SharingPlatform.Cli" / "bin").glob("*/net*/sharectl.dll"), None)
    if dll is not None:
        subprocess.run(["dotnet", str(dll), "demo", "data", "--count", "30", "--out", str(tmp_path / "nkdb-cases.csv")],
                       env=dict(os.environ, SHARECTL_HOME=str(tmp_path / "sharectl")), capture_output=True,
                       check=True)
        count = len({line.split(",", 1)[0] for line in
                     (tmp_path / "nkdb-cases.csv").read_text(encoding="utf-8").splitlines()[1:] if line})
    else:
        run = uuid.uuid4().hex[:8]
        (tmp_path / "nkdb-cases.csv").write_text(
            "case_id,family_name,given_name,birth_date,sex,status,classification,consent_scope,event_type,event_date\n"
            + "".join(f"r{run}-{n},Kim,Mira{n},1990-01-0{n + 1},f,detained,restricted,partners,arrested,2024-04\n"
                      for n in range(3)), encoding="utf-8")
        count = 3
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(_snippet(), "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0] == str({"PUSH_OUTCOME_CREATED": count})
    pulled = [line.split() for line in lines[1:]]
    assert len(pulled) >= count
    assert all(p[0].startswith("tenants/") and (p[1].startswith("CASE_STATUS_") or p[1] == "delete:") for p in pulled)
    assert os.path.exists(tmp_path / "nkdb.cursor")
