"""The staff back office: the screens and reads that span apps (funnel dashboard, transcripts,
exports, handoff replies, retention and erasure). The top layer: it may import every app, and no
app imports it."""
