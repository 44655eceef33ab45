"""Which branch is being gated, and whether it is protected.

HIGH findings block on protected branches only (ARCHITECTURE.md §1), so the branch decides
the verdict. CI systems check out a detached HEAD, so ``git`` alone cannot tell: the flag
wins, then the variables of the CI system that runs us, then git. A tag is not a branch.
The environment comes in as a mapping so that tests and the server can supply their own.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

SOURCES = (
    "flag",
    "github-actions",
    "gitlab-ci",
    "jenkins",
    "azure-pipelines",
    "bitbucket",
    "git",
    "unknown",
)
"""Every value :attr:`BranchInfo.source` can take."""


@dataclass(frozen=True, kw_only=True, slots=True)
class BranchInfo:
    """The branch under scan (``None`` for tags and detached HEADs) and where it came from.

    For pull and merge requests ``name`` is the source branch and ``target`` the branch
    it merges into.
    """

    name: str | None
    source: str
    pull_request: bool = False
    target: str | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"BranchInfo.source must be one of {', '.join(SOURCES)}")


_Detector = Callable[[Mapping[str, str]], BranchInfo | None]


def detect_branch(
    env: Mapping[str, str], *, override: str | None, git_branch: str | None
) -> BranchInfo:
    """The branch to gate: ``--branch``, else the CI system's variables, else git's branch."""
    if override and override.strip():
        return BranchInfo(name=_strip_heads(override.strip()), source="flag")
    for detector in _DETECTORS:
        info = detector(env)
        if info is not None:
            return info
    if git_branch and git_branch.strip() and git_branch.strip() != "HEAD":
        return BranchInfo(name=_strip_heads(git_branch.strip()), source="git")
    return BranchInfo(name=None, source="unknown")


def is_protected(branch: str | None, patterns: Sequence[str]) -> bool:
    """Whether ``branch`` matches a protected pattern (``main``, ``release/*``); None never does."""
    if not branch:
        return False
    return any(fnmatch.fnmatchcase(branch, pattern) for pattern in patterns)


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = _get(env, name)
    return value is not None and value.lower() not in ("false", "0", "no")


def _strip_heads(ref: str) -> str:
    return ref.removeprefix("refs/heads/")


def _is_tag_ref(ref: str | None) -> bool:
    return ref is not None and ref.startswith("refs/tags/")


def _pr(source: str, name: str, target: str | None) -> BranchInfo:
    return BranchInfo(
        name=_strip_heads(name),
        source=source,
        pull_request=True,
        target=_strip_heads(target) if target else None,
    )


def _github(env: Mapping[str, str]) -> BranchInfo | None:
    if not _flag(env, "GITHUB_ACTIONS"):
        return None
    source = "github-actions"
    head = _get(env, "GITHUB_HEAD_REF")
    if head:  # set only for pull_request and pull_request_target events
        return _pr(source, head, _get(env, "GITHUB_BASE_REF"))
    ref = _get(env, "GITHUB_REF")
    if _get(env, "GITHUB_REF_TYPE") == "tag" or _is_tag_ref(ref):
        return BranchInfo(name=None, source=source)
    name = _get(env, "GITHUB_REF_NAME")
    if name and not (ref or "").startswith("refs/pull/"):
        return BranchInfo(name=name, source=source)
    if ref and ref.startswith("refs/heads/"):
        return BranchInfo(name=_strip_heads(ref), source=source)
    return None


def _gitlab(env: Mapping[str, str]) -> BranchInfo | None:
    if not _flag(env, "GITLAB_CI"):
        return None
    source = "gitlab-ci"
    head = _get(env, "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
    if head:
        return _pr(source, head, _get(env, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"))
    branch = _get(env, "CI_COMMIT_BRANCH")
    if branch:
        return BranchInfo(name=branch, source=source)
    if _get(env, "CI_COMMIT_TAG"):  # CI_COMMIT_REF_NAME holds the tag name then
        return BranchInfo(name=None, source=source)
    ref = _get(env, "CI_COMMIT_REF_NAME")
    return BranchInfo(name=ref, source=source) if ref else None


def _jenkins(env: Mapping[str, str]) -> BranchInfo | None:
    if not _get(env, "JENKINS_URL"):
        return None
    source = "jenkins"
    head = _get(env, "CHANGE_BRANCH")
    if head:
        return _pr(source, head, _get(env, "CHANGE_TARGET"))
    if _get(env, "TAG_NAME"):  # multibranch tag builds set BRANCH_NAME to the tag too
        return BranchInfo(name=None, source=source)
    branch = _get(env, "BRANCH_NAME")
    if branch:
        return BranchInfo(name=branch, source=source)
    git = _get(env, "GIT_BRANCH")
    if git is None:
        return None
    return BranchInfo(name=_jenkins_git_branch(git), source=source)


def _jenkins_git_branch(ref: str) -> str | None:
    """The branch in the Git plugin's ``GIT_BRANCH`` (``origin/main``); None for tags."""
    if _is_tag_ref(ref) or ref.startswith(("origin/tags/", "tags/")):
        return None
    for prefix in ("refs/remotes/origin/", "remotes/origin/", "origin/", "refs/heads/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return ref


def _azure(env: Mapping[str, str]) -> BranchInfo | None:
    if not _flag(env, "TF_BUILD"):
        return None
    source = "azure-pipelines"
    head = _get(env, "SYSTEM_PULLREQUEST_SOURCEBRANCH")
    if head:
        return _pr(source, head, _get(env, "SYSTEM_PULLREQUEST_TARGETBRANCH"))
    ref = _get(env, "BUILD_SOURCEBRANCH")
    if ref is None:
        return None
    if _is_tag_ref(ref) or ref.startswith("refs/pull/"):
        return BranchInfo(name=None, source=source)
    return BranchInfo(name=_strip_heads(ref), source=source)


def _bitbucket(env: Mapping[str, str]) -> BranchInfo | None:
    if not _get(env, "BITBUCKET_BUILD_NUMBER"):
        return None
    source = "bitbucket"
    branch = _get(env, "BITBUCKET_BRANCH")
    target = _get(env, "BITBUCKET_PR_DESTINATION_BRANCH")
    if branch and (target or _get(env, "BITBUCKET_PR_ID")):
        return _pr(source, branch, target)
    if branch:
        return BranchInfo(name=branch, source=source)
    if _get(env, "BITBUCKET_TAG"):
        return BranchInfo(name=None, source=source)
    return None


_DETECTORS: tuple[_Detector, ...] = (_github, _gitlab, _jenkins, _azure, _bitbucket)
