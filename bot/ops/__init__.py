"""Operations: health, metrics, the HTTP server, shutdown, logs and the scheduler."""
