# Multi-stage build: a static, pure-Go chimed (no cgo) on a distroless base,
# running as an unprivileged user.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/chimed ./cmd/chimed
# The image's settings are a config file, not CHIMED_* variables: those would
# outrank the same keys in a file mounted over this one. Set CHIMED_* with
# docker run -e, or mount a file of your own (keep addr: 0.0.0.0:8080).
RUN printf 'addr: 0.0.0.0:8080\ndb: /var/lib/chimed/chimed.db\n' > /out/chimed.yaml

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/chimed /usr/local/bin/chimed
COPY --from=build /out/chimed.yaml /etc/chimed/chimed.yaml
USER nonroot:nonroot
WORKDIR /var/lib/chimed
VOLUME /var/lib/chimed
EXPOSE 8080
ENV CHIMED_CONFIG=/etc/chimed/chimed.yaml
ENTRYPOINT ["/usr/local/bin/chimed"]
