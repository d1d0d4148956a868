"""The one text layer: folding, speaker turns, money and dates, the matcher engine, redaction."""
