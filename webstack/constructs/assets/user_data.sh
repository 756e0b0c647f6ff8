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
# target group's port (below 1024). systemd appends its stdout (JSON access
# lines) and stderr to /var/log/webstack-app/, which the CloudWatch agent
# ships (web_tier.SERVER_LOGS); systemd opens the files, so the sandboxed
# service needs no write access to /var/log.
install -d -m 0755 /var/log/webstack-app
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
StandardOutput=append:/var/log/webstack-app/access.log
StandardError=append:/var/log/webstack-app/error.log
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
    # No exit: the signal step (web_tier, when the group waits for signals) still
    # runs and reports FAILURE to CloudFormation instead of leaving it waiting.
    echo "webstack-app does not answer __HEALTH_PATH__ on port __PORT__: see /var/log/webstack-app/error.log" >&2
fi
