# One image for every Attune service; the command picks the service and the process kind.
FROM python:3.11.10-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 ATTUNE_BIND_HOST=0.0.0.0
WORKDIR /app
COPY pyproject.toml README.md ./
COPY attune ./attune
COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir .
RUN useradd --create-home attune && mkdir -p /tmp/attune-metrics && chown attune /tmp/attune-metrics
USER attune
EXPOSE 8001 8002 8003
CMD ["attune", "--help"]
