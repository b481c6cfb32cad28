import type { StageSettings } from './stage'

/**
 * The VPC: private subnets for the database, the functions and the Batch
 * instances, a NAT for their way out (ECR, the Batch and Secrets Manager APIs,
 * external model hubs), and an S3 gateway endpoint, which costs nothing and keeps
 * artifact and image-layer traffic off the NAT.
 */
export function createNetwork(settings: StageSettings) {
  const vpc = new sst.aws.Vpc('Vpc', { az: 2, nat: settings.nat })
  const region = aws.getRegionOutput().region
  new aws.ec2.VpcEndpoint('S3Endpoint', {
    vpcId: vpc.id,
    serviceName: $interpolate`com.amazonaws.${region}.s3`,
    vpcEndpointType: 'Gateway',
    routeTableIds: vpc.nodes.privateRouteTables.apply((tables) => tables.map((table) => table.id)),
  })
  return { vpc }
}
