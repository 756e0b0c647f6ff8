# Signal the group's CreationPolicy once this instance is healthy in its
# target group (at most __READY_WITHIN__ s), FAILURE otherwise. Instances
# launched after the stack's creation get "not in a state to be signalled"
# from CloudFormation: logged, not fatal.
token=$(curl -sS -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token)
instance_id=$(curl -sS -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/instance-id)
deadline=$(( $(date +%s) + __READY_WITHIN__ ))
state=unknown
while [ "$(date +%s)" -lt "$deadline" ]; do
  state=$(aws elbv2 describe-target-health --region __REGION__ --target-group-arn "__TARGET_GROUP_ARN__" \
    --targets "Id=$instance_id" --query 'TargetHealthDescriptions[0].TargetHealth.State' --output text || echo error)
  [ "$state" = "healthy" ] && break
  sleep __INTERVAL__
done
status=FAILURE
[ "$state" = "healthy" ] && status=SUCCESS
echo "webstack: target health of $instance_id is $state: signalling $status"
aws cloudformation signal-resource --region __REGION__ --stack-name "__STACK_NAME__" \
  --logical-resource-id "__RESOURCE__" --unique-id "$instance_id" --status "$status" \
  || echo "webstack: signal not accepted (nothing awaits it outside the stack's creation)"
[ "$status" = "SUCCESS" ]
