-- The demo's earlier period (示例数据): a deterministic share ($share, per cent) of the children's homes and
-- minor-protection workstations not opened yet, and the same share of child directors not yet in post.
delete from service_point
where category in ('children_home', 'workstation') and hash(id) % 100 < $share;

update worker set status = '空缺', appointed_on = null
where role = '儿童主任' and status = '在岗' and hash(id) % 100 < $share;
