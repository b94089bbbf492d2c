"""The Propmubi infrastructure program's components, one job each."""
