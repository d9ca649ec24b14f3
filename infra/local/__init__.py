"""Real Apache Kafka (KRaft) and Elasticsearch 8 on the local Java 17, fetched once from Maven Central.

from infra.local import InfraSettings, up, down, status
state = up(InfraSettings())      # idempotent; raises InfraError with a clear message
state.kafka.address, state.elasticsearch.address
down(InfraSettings())
"""

from infra.local.artifacts import ensure_elasticsearch, ensure_kafka
from infra.local.errors import InfraError
from infra.local.manager import down, status, up, wipe_data
from infra.local.settings import ClusterInfraSettings, InfraSettings
from infra.local.status import InfraStatus, ServiceStatus

__all__ = [
    "ClusterInfraSettings",
    "InfraError",
    "InfraSettings",
    "InfraStatus",
    "ServiceStatus",
    "down",
    "ensure_elasticsearch",
    "ensure_kafka",
    "status",
    "up",
    "wipe_data",
]
