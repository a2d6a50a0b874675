"""Benchmarks (``make bench``): the bot's real sweep against the simulator; they measure and print."""
