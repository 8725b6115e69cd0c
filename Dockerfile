# Mastery in a container: build the release binary, then run it as an unprivileged user on
# a small Debian image. See docs/deploy.md.
#   docker build -t mastery .
#   docker run -d -p 127.0.0.1:8080:8080 -v mastery-data:/data mastery
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin mastery

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data --create-home mastery
COPY --from=build /src/target/release/mastery /usr/local/bin/mastery
USER mastery
VOLUME /data
EXPOSE 8080
# Listen on the container's interfaces (publish the port on 127.0.0.1 or behind a proxy);
# data in the volume. With PostgreSQL: -e MASTERY_DATABASE_URL=postgres://... and no volume.
ENV MASTERY_BIND=0.0.0.0:8080 \
    MASTERY_DATA_DIR=/data
ENTRYPOINT ["/usr/local/bin/mastery"]
CMD ["serve"]
