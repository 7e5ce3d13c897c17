"""The deployment files and what the guide says of them: the web servers' sites, the units, the log's rotation."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guide-exploitation.md"


def guide_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", GUIDE.read_text(), flags=re.S | re.M)


def test_the_guides_web_server_blocks_are_the_files_the_tests_run():
    """tests/test_proxies.py runs deploy/nginx-opsync.conf and deploy/apache-opsync.conf: the guide shows them whole."""
    assert guide_blocks("nginx") == [(ROOT / "deploy" / "nginx-opsync.conf").read_text()]
    assert guide_blocks("apache") == [(ROOT / "deploy" / "apache-opsync.conf").read_text()]
