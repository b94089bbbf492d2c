"""Pulumi adapter: the program on disk (`program`), an offline plan under Pulumi's mocks
(`mocks`, `plan`), propctl's infrastructure policies (`policies`), the Terraform plan JSON
exporter (`tfplan`), and real runs through the Automation API (`runner`)."""
