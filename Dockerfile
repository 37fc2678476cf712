# Multi-stage build: a static, pure-Go chimed (no cgo) on a distroless base,
# running as an unprivileged user.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/chimed ./cmd/chimed

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/chimed /usr/local/bin/chimed
USER nonroot:nonroot
WORKDIR /var/lib/chimed
VOLUME /var/lib/chimed
EXPOSE 8080
ENV CHIMED_ADDR=0.0.0.0:8080 CHIMED_DB=/var/lib/chimed/chimed.db
ENTRYPOINT ["/usr/local/bin/chimed"]
