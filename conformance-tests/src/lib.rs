//! Conformance suite: replays the documented examples of `openapi/*.yaml` against any deployment.
