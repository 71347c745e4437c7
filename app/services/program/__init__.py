"""The program: agencies and partnerships, the distribution ledger, the community feed, operations."""
