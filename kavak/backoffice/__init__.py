"""Back office pieces that span apps: the funnel dashboard reads, SVG charts, admin hardening."""
