"""The links that bring the course to a class: nbgitpuller's on a hub, Binder's in the README."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import ROOT
from nnlib.__main__ import main
from nnlib.course.hub import (
    COURSE_BRANCH,
    COURSE_FOLDER,
    COURSE_REPOSITORY,
    binder_link,
    course_file,
    pull_link,
)


def test_a_pull_link_names_the_repo_branch_folder_and_the_file_to_open():
    link = pull_link(
        "https://hub.example.org/",
        "https://git.example.org/c.git",
        "class",
        "chapters/01_single_neuron.md",
        "course",
    )
    address = urlsplit(link)
    assert (address.scheme, address.netloc) == ("https", "hub.example.org")
    assert address.path == "/hub/user-redirect/git-pull"
    assert parse_qs(address.query) == {
        "repo": ["https://git.example.org/c.git"],
        "branch": ["class"],
        "targetpath": ["course"],
        "urlpath": ["lab/tree/course/chapters/01_single_neuron.md"],
    }


def test_a_hub_below_a_path_keeps_its_prefix():
    link = pull_link("https://example.org/jupyter", path="exercises/ex01_single_neuron.ipynb")
    assert link.startswith("https://example.org/jupyter/hub/user-redirect/git-pull?")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(hub_url="hub.example.org"), "hub_url 'hub.example.org' must be the hub's http"),
        (dict(hub_url="ftp://x"), "must be the hub's http(s) address"),
        (dict(path="../../etc/passwd"), "path '../../etc/passwd' must be a path inside"),
        (dict(path="/etc/passwd"), "path '/etc/passwd' must be a path inside"),
        (dict(target=".."), "target '..' must be a path inside"),
        (dict(branch=" main"), "branch ' main' must be a non-empty name"),
    ],
)
def test_a_bad_pull_link_argument_is_named(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        pull_link(**{"hub_url": "https://hub.example.org", **kwargs})


def test_chapters_and_exercises_are_found_by_number():
    assert course_file("chapter", "1") == "chapters/01_single_neuron.md"
    assert course_file("chapter", "08") == "chapters/08_the_full_mnist_network.md"
    assert course_file("exercise", "3") == "exercises/ex03_loss_and_gradient_descent.ipynb"
    for number in ("11", "x", "1.5"):
        with pytest.raises(ValueError, match=f"{number}"):
            course_file("chapter", number)


def test_the_readme_opens_chapter_01_on_binder_from_the_course_repository():
    link = binder_link(COURSE_REPOSITORY, COURSE_BRANCH, "chapters/01_single_neuron.md")
    assert link == (
        "https://mybinder.org/v2/gh/neuron-to-mnist/neuron-to-mnist/main"
        "?urlpath=lab/tree/chapters/01_single_neuron.md"
    )
    for guide in ("README.md", "deploy/README.md"):
        assert f"({link})" in (ROOT / guide).read_text(encoding="utf-8"), guide
    with pytest.raises(ValueError, match="must be a GitHub address"):
        binder_link("https://gitlab.com/a/b")


def test_nnlib_hub_link_prints_the_link_and_refuses_a_missing_chapter(capsys):
    assert main(["hub-link", "https://hub.example.org", "--chapter", "8"]) == 0
    query = parse_qs(urlsplit(capsys.readouterr().out.strip()).query)
    assert query["repo"] == [COURSE_REPOSITORY]
    assert query["urlpath"] == [f"lab/tree/{COURSE_FOLDER}/chapters/08_the_full_mnist_network.md"]
    assert main(["hub-link", "https://hub.example.org", "--exercise", "12"]) == 2
    assert "there is no exercise 12" in capsys.readouterr().err
