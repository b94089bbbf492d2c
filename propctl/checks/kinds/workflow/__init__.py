"""The `workflow` kind (`kind`): GitHub Actions workflows, read as GitHub reads them
(`github_yaml`)."""
