#!/bin/bash
# webstack instance bootstrap (Amazon Linux 2023): nginx answering the
# site root, /api/* and the load balancer's health path.
set -euo pipefail
dnf install -y nginx
cat > /etc/nginx/default.d/webstack.conf <<'CONF'
location = __HEALTH_PATH__ {
    default_type text/plain;
    return 200 "ok\n";
}
location /api/ {
    default_type application/json;
    add_header Cache-Control "no-store" always;
    return 200 '{"service":"webstack","instance":"$hostname"}\n';
}
CONF
echo '<!doctype html><title>webstack</title><h1>webstack origin</h1>' > /usr/share/nginx/html/index.html
systemctl enable --now nginx
