#!/usr/bin/python3
# An AMQP consumer for the tests (issue L): binds a durable queue to the
# topic exchange "de" with notification.#, system_message and the
# notification-agent's pong, and appends
# each message to DIR/messages.jsonl as {"key", "body", "message_id"},
# acknowledging it only once written (flushed: the reader is on this host).  Survives a broker restart: it
# reconnects, and the durable queue kept what was published meanwhile.
# DIR/ready.N appears once the N-th connection's bindings are in place.
#   amqp_sink.py PORT DIR
import json
import os
import sys
import time

import pika

port, out = int(sys.argv[1]), sys.argv[2]
params = pika.ConnectionParameters(host='127.0.0.1', port=port,
                                   credentials=pika.PlainCredentials(
                                       'guest', 'guest'),
                                   connection_attempts=1, socket_timeout=5,
                                   blocked_connection_timeout=30)


def on_message(ch, method, props, body):
    with open(os.path.join(out, 'messages.jsonl'), 'a') as f:
        f.write(json.dumps({'key': method.routing_key,
                            'body': body.decode('utf-8'),
                            'message_id': props.message_id,
                            'content_type': props.content_type}) + '\n')
        f.flush()
    ch.basic_ack(delivery_tag=method.delivery_tag)


n = 0
while True:
    try:
        conn = pika.BlockingConnection(params)
        ch = conn.channel()
        ch.exchange_declare('de', exchange_type='topic', durable=True)
        ch.queue_declare('herald-test', durable=True)
        for key in ('notification.#', 'system_message',
                    'events.notification-agent.pong'):
            ch.queue_bind('herald-test', 'de', routing_key=key)
        ch.basic_consume('herald-test', on_message)
        n += 1
        open(os.path.join(out, 'ready.%d' % n), 'w').close()
        ch.start_consuming()
    except (pika.exceptions.AMQPError, OSError):
        time.sleep(0.2)
