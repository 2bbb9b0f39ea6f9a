# Production image: Python 3.11, dependencies from the lock file, compiled GOV.UK Frontend CSS.
FROM node:20-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./frontend
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/venv PATH="/venv/bin:$PATH"
WORKDIR /app
# WeasyPrint renders the Post-Programme Reports with Pango (the fonts are bundled in reports/fonts).
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv==0.13.9
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev
COPY . .
COPY --from=frontend /app/static_build ./static_build
COPY --from=frontend /app/node_modules/govuk-frontend/dist/govuk/assets ./node_modules/govuk-frontend/dist/govuk/assets
COPY --from=frontend /app/node_modules/@ministryofjustice/frontend/moj/assets ./node_modules/@ministryofjustice/frontend/moj/assets
RUN DJANGO_SECRET_KEY="$(head -c 48 /dev/urandom | base64)" DJANGO_ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.db \
    EMAIL_URL=consolemail:// python manage.py collectstatic --noinput -v0
RUN useradd --system --uid 1000 isotp
USER isotp
EXPOSE 8000
