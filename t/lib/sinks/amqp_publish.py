#!/usr/bin/python3
# Publish COUNT messages BODY to the topic exchange "de" with routing key
# KEY, as another DE service would (the tests' ping, issue L).
#   amqp_publish.py PORT KEY BODY COUNT
import sys

import pika

port, key, body, count = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                          int(sys.argv[4]))
conn = pika.BlockingConnection(pika.ConnectionParameters(
    host='127.0.0.1', port=port,
    credentials=pika.PlainCredentials('guest', 'guest'),
    connection_attempts=3, socket_timeout=5))
ch = conn.channel()
ch.confirm_delivery()
for i in range(count):
    ch.basic_publish('de', key, body.encode('utf-8'),
                     pika.BasicProperties(content_type='application/json',
                                          message_id='ping-%d' % i))
conn.close()
