"""What the results decide: the gate's rules (`rules`, the standard library only), the verdict
of a full run with waivers and attestations (`verdict`), what a pull request changes in the gate
(`changes`) and a run with nothing changed answered from the last one (`replay`)."""
