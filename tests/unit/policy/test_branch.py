"""Branch detection across CI systems, and branch protection patterns."""

from __future__ import annotations

import pytest

from lockgate.policy.branch import BranchInfo, detect_branch, is_protected


def detect(
    env: dict[str, str], *, override: str | None = None, git_branch: str | None = "local-branch"
) -> BranchInfo:
    return detect_branch(env, override=override, git_branch=git_branch)


def test_the_flag_wins_over_ci_and_git() -> None:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REF_NAME": "feature"}
    assert detect(env, override="main") == BranchInfo(name="main", source="flag")
    assert detect({}, override="refs/heads/release/1.0").name == "release/1.0"


def test_github_actions_push() -> None:
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REF": "refs/heads/release/2.0",
        "GITHUB_REF_NAME": "release/2.0",
        "GITHUB_REF_TYPE": "branch",
        "GITHUB_HEAD_REF": "",
    }
    assert detect(env) == BranchInfo(name="release/2.0", source="github-actions")


def test_github_actions_push_with_only_the_full_ref() -> None:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/main"}
    assert detect(env) == BranchInfo(name="main", source="github-actions")


def test_github_actions_pull_request() -> None:
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REF": "refs/pull/42/merge",
        "GITHUB_REF_NAME": "42/merge",
        "GITHUB_HEAD_REF": "feature/login",
        "GITHUB_BASE_REF": "main",
    }
    assert detect(env) == BranchInfo(
        name="feature/login", source="github-actions", pull_request=True, target="main"
    )


def test_gitlab_ci_branch_pipeline() -> None:
    env = {"GITLAB_CI": "true", "CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_NAME": "main"}
    assert detect(env) == BranchInfo(name="main", source="gitlab-ci")


def test_gitlab_ci_merge_request_pipeline() -> None:
    env = {
        "GITLAB_CI": "true",
        "CI_COMMIT_REF_NAME": "feature",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "develop",
    }
    assert detect(env) == BranchInfo(
        name="feature", source="gitlab-ci", pull_request=True, target="develop"
    )


def test_gitlab_ci_falls_back_to_the_ref_name() -> None:
    env = {"GITLAB_CI": "true", "CI_COMMIT_REF_NAME": "hotfix"}
    assert detect(env) == BranchInfo(name="hotfix", source="gitlab-ci")


def test_jenkins_multibranch_build() -> None:
    env = {
        "JENKINS_URL": "https://ci.example.com/",
        "BRANCH_NAME": "main",
        "GIT_BRANCH": "origin/main",
    }
    assert detect(env) == BranchInfo(name="main", source="jenkins")


def test_jenkins_pull_request_build() -> None:
    env = {
        "JENKINS_URL": "https://ci.example.com/",
        "BRANCH_NAME": "PR-7",
        "CHANGE_ID": "7",
        "CHANGE_BRANCH": "feature/x",
        "CHANGE_TARGET": "main",
    }
    assert detect(env) == BranchInfo(
        name="feature/x", source="jenkins", pull_request=True, target="main"
    )


def test_jenkins_freestyle_build_strips_the_remote() -> None:
    env = {"JENKINS_URL": "https://ci.example.com/", "GIT_BRANCH": "origin/release/3.1"}
    assert detect(env) == BranchInfo(name="release/3.1", source="jenkins")


def test_azure_pipelines_branch_build() -> None:
    env = {
        "TF_BUILD": "True",
        "BUILD_SOURCEBRANCH": "refs/heads/release/1.2",
        "BUILD_SOURCEBRANCHNAME": "1.2",
    }
    assert detect(env) == BranchInfo(name="release/1.2", source="azure-pipelines")


def test_azure_pipelines_pull_request() -> None:
    env = {
        "TF_BUILD": "True",
        "BUILD_SOURCEBRANCH": "refs/pull/9/merge",
        "SYSTEM_PULLREQUEST_SOURCEBRANCH": "refs/heads/feature/y",
        "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main",
    }
    assert detect(env) == BranchInfo(
        name="feature/y", source="azure-pipelines", pull_request=True, target="main"
    )


def test_bitbucket_branch_build() -> None:
    env = {"BITBUCKET_BUILD_NUMBER": "12", "BITBUCKET_BRANCH": "main"}
    assert detect(env) == BranchInfo(name="main", source="bitbucket")


def test_bitbucket_pull_request() -> None:
    env = {
        "BITBUCKET_BUILD_NUMBER": "13",
        "BITBUCKET_BRANCH": "feature/z",
        "BITBUCKET_PR_ID": "5",
        "BITBUCKET_PR_DESTINATION_BRANCH": "main",
    }
    assert detect(env) == BranchInfo(
        name="feature/z", source="bitbucket", pull_request=True, target="main"
    )


@pytest.mark.parametrize(
    ("env", "source"),
    [
        (
            {
                "GITHUB_ACTIONS": "true",
                "GITHUB_REF": "refs/tags/v1.0",
                "GITHUB_REF_NAME": "v1.0",
                "GITHUB_REF_TYPE": "tag",
            },
            "github-actions",
        ),
        ({"GITLAB_CI": "true", "CI_COMMIT_TAG": "v1.0", "CI_COMMIT_REF_NAME": "v1.0"}, "gitlab-ci"),
        ({"JENKINS_URL": "https://ci/", "TAG_NAME": "v1.0", "BRANCH_NAME": "v1.0"}, "jenkins"),
        ({"JENKINS_URL": "https://ci/", "GIT_BRANCH": "refs/tags/v1.0"}, "jenkins"),
        ({"TF_BUILD": "True", "BUILD_SOURCEBRANCH": "refs/tags/v1.0"}, "azure-pipelines"),
        ({"BITBUCKET_BUILD_NUMBER": "1", "BITBUCKET_TAG": "v1.0"}, "bitbucket"),
    ],
)
def test_tags_are_not_branches(env: dict[str, str], source: str) -> None:
    info = detect(env)
    assert info == BranchInfo(name=None, source=source)
    assert not is_protected(info.name, ["*"])


def test_outside_ci_the_git_branch_is_used() -> None:
    assert detect({"HOME": "/home/me"}, git_branch="main") == BranchInfo(name="main", source="git")


def test_a_detached_head_has_no_branch() -> None:
    assert detect({}, git_branch=None) == BranchInfo(name=None, source="unknown")
    assert detect({}, git_branch="HEAD") == BranchInfo(name=None, source="unknown")


def test_ci_flags_set_to_false_are_ignored() -> None:
    env = {"GITHUB_ACTIONS": "false", "GITHUB_REF_NAME": "main"}
    assert detect(env, git_branch="dev") == BranchInfo(name="dev", source="git")


def test_a_ci_system_without_branch_variables_falls_back_to_git() -> None:
    assert detect({"GITLAB_CI": "true"}, git_branch="dev") == BranchInfo(name="dev", source="git")


def test_branch_info_rejects_unknown_sources() -> None:
    with pytest.raises(ValueError, match="source"):
        BranchInfo(name="main", source="circleci")


@pytest.mark.parametrize(
    ("branch", "protected"),
    [
        ("main", True),
        ("master", True),
        ("release/1.0", True),
        ("release/1.0/hotfix", True),
        ("releases", False),
        ("feature/main", False),
        ("Main", False),
        (None, False),
        ("", False),
    ],
)
def test_protected_branch_patterns(branch: str | None, protected: bool) -> None:
    assert is_protected(branch, ["main", "master", "release/*"]) is protected


def test_no_patterns_protect_nothing() -> None:
    assert not is_protected("main", [])
