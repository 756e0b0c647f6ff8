# webstack instance bootstrap (Amazon Linux 2023): install the origin
# application from its CDK asset and run it under systemd. Nothing is fetched
# from the internet: the AWS CLI and python3 come with the AMI, the bundle
# from the stack's asset bucket (read granted to the instance role).
set -euo pipefail
bundle=$(mktemp /tmp/webstack-app.XXXXXX.zip)
aws s3 cp '__APP_URL__' "$bundle" --region '__REGION__' --only-show-errors
# A fresh folder each boot; python3's zipfile module unpacks (no unzip package needed).
rm -rf /opt/webstack-app.new
install -d -m 0755 /opt/webstack-app.new
python3 -m zipfile -e "$bundle" /opt/webstack-app.new
rm -f "$bundle"
chmod -R u=rwX,go=rX /opt/webstack-app.new
rm -rf /opt/webstack-app
mv /opt/webstack-app.new /opt/webstack-app

# A dynamic, unprivileged user; the one capability it keeps is binding the
# target group's port (below 1024). Logs go to journald (JSON lines).
cat > /etc/systemd/system/webstack-app.service <<'UNIT'
[Unit]
Description=webstack origin application
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
DynamicUser=yes
WorkingDirectory=/opt/webstack-app
Environment=PYTHONPATH=/opt/webstack-app PYTHONDONTWRITEBYTECODE=1
Environment=WEBSTACK_APP_PORT=__PORT__ WEBSTACK_APP_BUILD=__BUILD__
ExecStart=/usr/bin/python3 -m webstack_app
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now webstack-app.service

# The boot log says whether the health check will pass.
healthy=no
for _ in $(seq 1 30); do
    if curl -fsS -o /dev/null "http://127.0.0.1:__PORT____HEALTH_PATH__"; then
        healthy=yes
        break
    fi
    sleep 1
done
if [ "$healthy" != yes ]; then
    echo "webstack-app does not answer __HEALTH_PATH__ on port __PORT__: journalctl -u webstack-app" >&2
    exit 1
fi
