"""The sync engine: turns a labelled package into a fulfillment on its store order."""
